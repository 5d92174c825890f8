"""Legacy imports in a program's source rewritten to their modern names (``migrate --source``).

Only the statements and expressions that name a legacy path are edited, located by ``ast``;
the rest of the file stays byte for byte.  What changes, from the table the harness serves:

- ``from qiskit.providers.ibmq.runtime import UserMessenger`` -> ``from runtime_kit import ...``;
- ``qiskit.providers.aer`` -> ``qiskit_aer``, ``qiskit.algorithms`` -> ``qiskit_algorithms``,
  in imports and in ``qiskit.providers.aer.X`` expressions;
- ``from qiskit import Aer`` -> ``from qiskit_aer import Aer`` (and ``qiskit.Aer``);
- ``execute(circuits, backend, ...)`` -> ``backend.run(transpile(circuits, backend, ...), ...)``.

Legacy names with no modern spelling (``qiskit.compiler.schedule``, ``qiskit.opflow``...) are
left as they are and reported, so a program is fully migrated only when nothing is reported.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

from runtime_kit.errors import MigrationError
from runtime_kit.modernize.calls import rewrite_execute
from runtime_kit.modernize.edits import SourceEdits
from runtime_kit.modernize.names import (
    EXECUTE,
    Left,
    Module,
    Name,
    legacy_prefix,
    modern_module,
    modern_name,
)

#: Top-level names whose attributes may spell a legacy path (``qiskit.providers.aer.X``).
_ROOTS = ("qiskit", "qiskit_ibm_runtime")


@dataclass
class Note:
    """Something at ``line``:``col`` the migration left as it was (``left``) or changed."""

    line: int
    col: int
    message: str
    left: bool = True


@dataclass
class SourceMigration:
    """The outcome for one source: the new text (None when nothing changed) and notes."""

    path: Path | None
    text: str | None = None
    notes: list[Note] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.text is not None

    @property
    def complete(self) -> bool:
        """Nothing legacy is left (the program runs without runtime-kit's legacy layer)."""
        return not any(note.left for note in self.notes)


def migrate_source(source: str, *, path: Path | None = None) -> SourceMigration:
    """Rewrite the legacy imports of Python ``source`` (read from ``path``, if any).

    Raises:
        MigrationError: the source is not valid Python.
    """
    where = str(path) if path is not None else "<source>"
    try:
        tree = ast.parse(source, filename=where)
    except SyntaxError as exc:
        raise MigrationError(f"{where}:{exc.lineno}:{exc.offset}: {exc.msg}") from exc
    migration = SourceMigration(path)
    text = _Migrator(tree, source, migration.notes).run()
    if text != source:
        try:
            ast.parse(text, filename=where)
        except SyntaxError as exc:  # an edit broke the program: a bug in runtime-kit
            raise MigrationError(
                f"{where}: the migrated source would not parse ({exc.msg} "
                f"at line {exc.lineno}); left unchanged"
            ) from exc
        migration.text = text
    migration.notes.sort(key=lambda note: (note.line, note.col))
    return migration


def migrate_source_file(path: Path, *, write: bool = True) -> SourceMigration:
    """Migrate the Python file at ``path`` in place (atomically); ``write=False``: dry run.

    Raises:
        MigrationError: the file cannot be read or is not valid Python.
    """
    from runtime_kit.files import write_atomically

    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise MigrationError(f"{path}:0:0: cannot read: {exc}") from exc
    migration = migrate_source(source, path=path)
    if write and migration.text is not None:
        write_atomically(path, migration.text.encode())
    return migration


def source_files(path: Path) -> list[Path]:
    """``path`` itself, or the ``*.py`` files under it (without caches, VCS or virtualenvs)."""
    from runtime_kit.bundle.ignore import ALWAYS_IGNORED_DIRS

    if not path.is_dir():
        return [path]
    return sorted(
        file
        for file in path.rglob("*.py")
        if not any(part in ALWAYS_IGNORED_DIRS for part in file.relative_to(path).parts[:-1])
    )


class _Migrator:
    def __init__(self, tree: ast.Module, source: str, notes: list[Note]) -> None:
        self.tree = tree
        self.edits = SourceEdits(source)
        self.notes = notes
        self.imports = [n for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom)]
        self.imports.sort(key=lambda n: (n.lineno, n.col_offset))
        self.execute_names = self._bound_to_execute()
        self.execute_kept = False  # some use of an imported execute stays as it is
        self.transpile_wanted = False  # a rewritten call needs `transpile` imported
        self.wanted_modules: dict[str, None] = {}  # `import X` that rewritten expressions need
        self.consumed_roots: set[int] = set()  # ids of `qiskit` Names no longer used
        self.block_sizes = {  # statement id -> number of statements in its block
            id(statement): len(block)
            for parent in ast.walk(tree)
            for field in ("body", "orelse", "finalbody")
            if isinstance(block := getattr(parent, field, None), list)
            for statement in block
        }

    def run(self) -> str:
        bound_roots = self._plainly_imported_roots()
        calls = [n for n in ast.walk(self.tree) if isinstance(n, ast.Call)]
        execute_calls = [c for c in calls if self._is_execute(c.func, bound_roots)]
        attributes = [n for n in ast.walk(self.tree) if isinstance(n, ast.Attribute)]
        inner = {id(n.value) for n in attributes} | {id(call.func) for call in execute_calls}
        for node in attributes:
            parts = _dotted(node)
            if id(node) not in inner and parts is not None and parts[0] in bound_roots:
                self._rewrite_chain(node)
        for call in sorted(execute_calls, key=lambda c: -self.edits.span(c)[0]):  # inner first
            self._rewrite_call(call)
        self._note_other_execute_uses(execute_calls)
        for statement in self.imports:
            self._rewrite_import(statement)
        return self.edits.apply()

    # --- which names mean what

    def _bound_to_execute(self) -> set[str]:
        names = set()
        for node in self.imports:
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                for alias in node.names:
                    if modern_name(node.module, alias.name) is EXECUTE:
                        names.add(alias.asname or alias.name)
        return names

    def _plainly_imported_roots(self) -> set[str]:
        roots = set()
        for node in self.imports:
            if isinstance(node, ast.Import):
                roots.update(_top(a.name) for a in node.names if a.asname is None)
        return roots & set(_ROOTS)

    def _transpile_name(self, call: ast.Call) -> str | None:
        """How the file spells qiskit's transpile where ``call`` is (None: not imported)."""
        for node in self.imports:
            if isinstance(node, ast.ImportFrom) and node.module in ("qiskit", "qiskit.compiler"):
                for alias in node.names:
                    if alias.name == "transpile":
                        return alias.asname or alias.name
        if isinstance(call.func, ast.Attribute):
            return "qiskit.transpile"  # qiskit.execute(...): qiskit is imported
        return None

    def _is_execute(self, func: ast.expr, roots: set[str]) -> bool:
        if isinstance(func, ast.Name):
            return func.id in self.execute_names
        parts = _dotted(func)
        if parts is None or parts[0] not in roots or len(parts) < 2:
            return False
        return modern_name(".".join(parts[:-1]), parts[-1]) is EXECUTE

    # --- expressions

    def _rewrite_chain(self, node: ast.Attribute) -> None:
        """``qiskit.providers.aer.X`` -> ``qiskit_aer.X``: its legacy prefix is replaced."""
        parts = _dotted(node)
        found = legacy_prefix(parts) if parts is not None else None
        if found is None or found[1] is EXECUTE:
            return
        length, modern = found
        prefix = node
        for _ in range(len(parts) - length):  # type: ignore[arg-type]
            prefix = prefix.value  # type: ignore[assignment]
        if isinstance(modern, Left):
            self._note(node, f"{'.'.join(parts[:length])} left as is: {modern.reason}")  # type: ignore[index]
            return
        if isinstance(modern, Module):
            text, module = modern.name, modern.name
        else:
            text, module = f"{modern.module}.{modern.name}", modern.module
        self.edits.replace(prefix, text)
        self.wanted_modules[module] = None
        self.consumed_roots.add(id(_root(node)))

    def _rewrite_call(self, call: ast.Call) -> None:
        transpile = self._transpile_name(call)
        rewrite = rewrite_execute(call, self.edits, transpile=transpile or "transpile")
        if rewrite.text is None:
            self._note(call, f"execute() call left as is: {rewrite.reason}")
            self.execute_kept = self.execute_kept or isinstance(call.func, ast.Name)
            return
        self.edits.replace(call, rewrite.text)
        self.transpile_wanted |= rewrite.uses_transpile and transpile is None
        if isinstance(call.func, ast.Attribute):
            self.consumed_roots.add(id(_root(call.func)))
        for key in rewrite.dropped:
            self._note(call, f"dropped {key}=: backend.run() never used it", left=False)

    def _note_other_execute_uses(self, calls: list[ast.Call]) -> None:
        called = {id(call.func) for call in calls}
        for node in ast.walk(self.tree):
            if (
                isinstance(node, ast.Name)
                and node.id in self.execute_names
                and isinstance(node.ctx, ast.Load)
                and id(node) not in called
            ):
                self._note(node, "execute used other than in a call: left as is")
                self.execute_kept = True

    # --- import statements

    def _rewrite_import(self, node: ast.Import | ast.ImportFrom) -> None:
        if isinstance(node, ast.ImportFrom):
            lines = self._from_import_lines(node)
        else:
            lines = self._import_lines(node)
        extra = self._wanted_after(node)
        if lines is None and not extra:
            return
        original = self.edits.original(*self.edits.span(node))
        statements = (lines if lines is not None else [original]) + extra
        if not statements:
            self._remove(node)
            return
        separator = "\n" + self.edits.indentation(node)
        if not self.edits.starts_its_line(node):
            separator = "; "
        self.edits.replace(node, separator.join(statements))

    def _remove(self, node: ast.stmt) -> None:
        """Remove a statement with its line, or leave ``pass`` where a statement must be."""
        start, end = self.edits.span(node)
        line_end = self.edits.line_starts[node.end_lineno]  # type: ignore[index]
        rest = self.edits.original(end, line_end).strip()
        alone = self.edits.starts_its_line(node) and (not rest or rest.startswith("#"))
        if alone and self.block_sizes.get(id(node), 1) > 1:
            self.edits.replace_span(start - node.col_offset, line_end, "")
        else:
            self.edits.replace(node, "pass")

    def _from_import_lines(self, node: ast.ImportFrom) -> list[str] | None:
        if node.level != 0 or node.module is None:
            return None
        kept: list[str] = []
        groups: dict[str, list[str]] = {}
        modules: list[str] = []
        for alias in node.names:
            spelled = _alias(alias)
            modern = modern_name(node.module, alias.name)
            if modern is None or (modern is EXECUTE and self.execute_kept):
                kept.append(spelled)
            elif modern is EXECUTE:
                continue  # every call was written out
            elif isinstance(modern, Left):
                kept.append(spelled)
                self._note(node, f"{node.module}.{alias.name} left as is: {modern.reason}")
            elif isinstance(modern, Name):
                groups.setdefault(modern.module, []).append(_alias(alias, modern.name))
            elif isinstance(modern, Module):
                modules.append(f"import {modern.name} as {alias.asname or alias.name}")
        if self.transpile_wanted and any(modern_name(node.module, a.name) is EXECUTE
                                         for a in node.names):  # fmt: skip
            self.transpile_wanted = False
            if node.module == "qiskit":
                kept.append("transpile")
            else:
                groups.setdefault("qiskit", []).append("transpile")
        if kept == [_alias(alias) for alias in node.names] and not groups and not modules:
            return None
        multiline = node.end_lineno != node.lineno
        lines = [_from(node.module, kept, multiline)] if kept else []
        lines += [_from(module, names, multiline) for module, names in groups.items()]
        return lines + modules

    def _import_lines(self, node: ast.Import) -> list[str] | None:
        names: list[str] = []
        changed = False
        for alias in node.names:
            modern = modern_module(alias.name)
            if isinstance(modern, Module):
                names.append(_alias(alias, modern.name))
                changed = True
                if alias.asname is None and self._root_still_used(node, alias.name):
                    names.append(_top(alias.name))
            else:
                if isinstance(modern, Left):
                    self._note(node, f"{alias.name} left as is: {modern.reason}")
                names.append(_alias(alias))
        return [f"import {', '.join(dict.fromkeys(names))}"] if changed else None

    def _root_still_used(self, statement: ast.Import, name: str) -> bool:
        """Whether ``import a.b`` rewritten away leaves uses of ``a`` no other import binds."""
        root = _top(name)
        for other in self.imports:
            if other is statement or not isinstance(other, ast.Import):
                continue
            for alias in other.names:
                kept = not isinstance(modern_module(alias.name), Module)
                if alias.asname is None and _top(alias.name) == root and kept:
                    return False
        return any(
            isinstance(n, ast.Name) and n.id == root and id(n) not in self.consumed_roots
            for n in ast.walk(self.tree)
        )

    def _wanted_after(self, node: ast.Import | ast.ImportFrom) -> list[str]:
        """``import X`` lines that rewritten expressions need, after the first plain import
        of their root (``import qiskit``)."""
        first = next((n for n in self.imports if isinstance(n, ast.Import)
                      and any(_top(a.name) in _ROOTS for a in n.names)), None)  # fmt: skip
        if node is not first:
            return []
        imported = [a.name for n in self.imports if isinstance(n, ast.Import) for a in n.names]
        imported += [m.name for a in node.names if isinstance(m := modern_module(a.name), Module)]
        return [
            f"import {module}"
            for module in self.wanted_modules
            if not any(name == module or name.startswith(module + ".") for name in imported)
        ]

    def _note(self, node: ast.AST, message: str, *, left: bool = True) -> None:
        line, col = node.lineno, node.col_offset + 1  # type: ignore[attr-defined]
        if not any(n.line == line and n.message == message for n in self.notes):
            self.notes.append(Note(line, col, message, left))


def _top(name: str) -> str:
    return name.partition(".")[0]


def _dotted(node: ast.expr) -> list[str] | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return [node.id, *reversed(parts)]


def _root(node: ast.expr) -> ast.expr:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node


def _alias(alias: ast.alias, name: str | None = None) -> str:
    spelled = name or alias.name
    return f"{spelled} as {alias.asname}" if alias.asname else spelled


def _from(module: str, names: list[str], multiline: bool) -> str:
    if multiline:
        return f"from {module} import (\n" + "".join(f"    {n},\n" for n in names) + ")"
    return f"from {module} import {', '.join(names)}"
