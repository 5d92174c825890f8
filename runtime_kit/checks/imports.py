"""Every import of a program must resolve where it will run, found without importing it.

``importlib.util.find_spec("a.b")`` imports ``a`` to look inside it; a program importing
``qiskit.circuit`` would make ``validate`` pay for qiskit.  Here each dotted part is looked
up on the file system with ``PathFinder``, which only reads directories.
"""

from __future__ import annotations

import ast
import difflib
import functools
import importlib.machinery
import sys
from collections.abc import Collection, Iterator
from pathlib import Path

from runtime_kit.checks.module_names import defined_names
from runtime_kit.findings import Finding
from runtime_kit.harness.legacy_modules import MOVED, REMOVED_NAMES, STAND_INS, installed

#: Modules removed from qiskit that runtime-kit does not serve, with what to use instead.
REMOVED = {
    "qiskit.opflow": "removed in qiskit 1.0; use qiskit.quantum_info (SparsePauliOp)",
    "qiskit.ignis": "retired with qiskit-ignis; use the qiskit_experiments package",
    "qiskit.utils.algorithm_globals": "removed in qiskit 1.0; use qiskit_algorithms.utils",
    "qiskit.providers.ibmq": "retired with qiskit-ibmq-provider; runtime-kit serves only "
    "its runtime program API (qiskit.providers.ibmq.runtime)",
    "qiskit.tools": "removed in qiskit 1.0",
    "qiskit.test": "removed in qiskit 1.0",
    "qiskit.pulse": "removed in qiskit 2.0",
}
#: Names removed from qiskit modules that still exist, not served, with what to use instead.
REMOVED_FROM = {
    "qiskit.IBMQ": "retired with qiskit-ibmq-provider; use a runtime-kit service "
    "(runtime_kit.RuntimeService)",
    "qiskit.BasicAer": "removed in qiskit 1.0; use qiskit.providers.basic_provider",
    "qiskit.assemble": "removed in qiskit 2.0; backend.run() takes circuits",
    "qiskit.compiler.assemble": "removed in qiskit 2.0; backend.run() takes circuits",
}

_STATEMENT_LISTS = ("body", "orelse")
_IMPORT_ERRORS = {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"}


def check_imports(path: Path, tree: ast.Module, local_modules: Collection[str]) -> list[Finding]:
    """Findings for imports of ``tree`` (the program at ``path``) that will not resolve.

    ``local_modules`` (modules and packages beside the program) count as present.
    Imports inside ``try: ... except ImportError`` are optional and not checked.
    """
    findings = []
    for node, module, names, guarded in _imports(tree.body, guarded=False):
        if guarded:
            continue
        where = (node.lineno, node.col_offset + 1)
        problem = _problem(module, local_modules)
        if problem is not None:
            findings.append(Finding.of(path, where, *problem))
            continue
        for name, code, message in _name_problems(module, names):
            findings.append(Finding.of(path, _name_position(node, name), code, message))
    return findings


def _name_position(node: ast.stmt, name: str) -> tuple[int, int]:
    """Where ``name`` is written in the import ``node`` (the statement's start if unknown)."""
    for alias in getattr(node, "names", ()):
        if alias.name == name and getattr(alias, "lineno", None) is not None:
            return alias.lineno, alias.col_offset + 1
    return node.lineno, node.col_offset + 1


def _api_changed(module: str, name: str) -> str | None:
    """RK404's message for a legacy name served by a successor that changed its API."""
    moved = next((m for root, m in MOVED.items() if _within(module, root)), None)
    if moved is None or name not in moved.changed_names or not installed(moved.successor):
        return None
    target = moved.successor + module[len(moved.module) :]
    return (
        f"{module}.{name} is served as {target}.{name}, a compatibility alias whose API "
        f"changed: {moved.api_change}"
    )


def _imports(
    statements: list[ast.stmt], *, guarded: bool
) -> Iterator[tuple[ast.stmt, str, tuple[str, ...], bool]]:
    """(statement, module, names imported from it, guarded) for every absolute import.

    Imports are statements, so only statement lists are searched, never expressions:
    an order of magnitude fewer nodes than ``ast.walk``.
    """
    for node in statements:
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node, alias.name, (), guarded
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0 and node.module:
                yield node, node.module, tuple(alias.name for alias in node.names), guarded
        elif isinstance(node, ast.Try | ast.TryStar):
            body_guarded = guarded or any(_catches_import_error(h) for h in node.handlers)
            yield from _imports(node.body, guarded=body_guarded)
            for handler in node.handlers:
                yield from _imports(handler.body, guarded=guarded)
            yield from _imports(node.orelse, guarded=guarded)
            yield from _imports(node.finalbody, guarded=guarded)
        elif isinstance(node, ast.Match):
            for case in node.cases:
                yield from _imports(case.body, guarded=guarded)
        else:
            for field in _STATEMENT_LISTS:
                inner = getattr(node, field, None)
                if inner:
                    yield from _imports(inner, guarded=guarded)


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    names = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(isinstance(n, ast.Name) and n.id in _IMPORT_ERRORS for n in names)


def _problem(module: str, local_modules: Collection[str]) -> tuple[str, str] | None:
    stand_in = STAND_INS.get(module)
    if stand_in is not None and stand_in.exports:
        return None
    parent = STAND_INS.get(module.split(".", maxsplit=1)[0])
    if parent is not None and parent.over_installed:
        return "RK402", (
            f"cannot import {module!r}: inside a job runtime-kit serves {parent.module} "
            f"itself only; import from {parent.module}"
        )
    moved = next((m for name, m in MOVED.items() if _within(module, name)), None)
    if moved is not None:
        return _moved_problem(module, moved.module, moved.successor, moved.install)
    for removed, advice in REMOVED.items():
        if _within(module, removed):
            return "RK402", f"cannot import {module!r}: {removed} was {advice}"
    if module.split(".", maxsplit=1)[0] in local_modules:
        return None
    missing = _first_missing(module)
    if missing is None:
        return None
    return "RK401", (
        f"cannot import {module!r}: no module {missing!r} in this environment ({sys.executable})"
    )


def _moved_problem(
    module: str, legacy: str, successor: str, install: str
) -> tuple[str, str] | None:
    if not installed(successor):
        return "RK402", (
            f"cannot import {module!r}: {legacy} moved to the {successor} package, which is not "
            f"installed here ({sys.executable}; pip install {install})"
        )
    target = successor + module[len(legacy) :]
    if _first_missing(target) is None:
        return None
    return (
        "RK401",
        f"cannot import {module!r}: runtime-kit serves it as {target!r}, which is missing",
    )


def _name_problems(module: str, names: tuple[str, ...]) -> list[tuple[str, str, str]]:
    """(name, code, message): RK402 for names that a module which exists (or is served) no
    longer has, RK403 for names an installed module never had, RK404 for names served by a
    successor that changed their API."""
    found = []
    for name in names:
        message = _name_problem(module, name)
        if message is not None:
            found.append((name, "RK402", f"cannot import {name!r} from {module!r}: {message}"))
            continue
        changed = _api_changed(module, name)
        if changed is not None:
            found.append((name, "RK404", changed))
            continue
        missing = _missing_name(module, name)
        if missing is not None:
            found.append((name, "RK403", missing))
    return found


def _missing_name(module: str, name: str) -> str | None:
    """RK403's message when the installed ``module``'s source shows it has no ``name``."""
    if name == "*" or f"{module}.{name}" in REMOVED_NAMES or module in STAND_INS:
        return None
    spec = find_module(module)
    names = None if spec is None else defined_names(spec)
    if names is None or name in names:
        return None
    close = difflib.get_close_matches(name, sorted(names), n=1, cutoff=0.7)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"cannot import {name!r} from {module!r}: it has no such name{hint}"


def _name_problem(module: str, name: str) -> str | None:
    path = f"{module}.{name}"
    served = REMOVED_NAMES.get(path)
    if served is not None:
        if installed(served.successor):
            return None
        return f"removed from qiskit; served from {served.successor}, which is not installed here"
    if path in REMOVED_FROM:
        return f"{path} was {REMOVED_FROM[path]}"
    stand_in = STAND_INS.get(module)
    if stand_in is None or name in stand_in.exports or path in STAND_INS:
        return None
    exports = ", ".join(stand_in.exports) or "no names"
    if stand_in.over_installed:
        return f"inside a job, runtime-kit's {module} has {exports} (a client has no use there)"
    if _first_missing(module) is None:
        return None  # the real package is installed
    advice = next((a for r, a in REMOVED.items() if _within(module, r)), "not served")
    return f"runtime-kit serves {exports} there; {module} was {advice}"


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def _first_missing(module: str) -> str | None:
    """The first dotted prefix of ``module`` that cannot be found, or None."""
    return _lookup(module)[1]


def find_module(module: str) -> importlib.machinery.ModuleSpec | None:
    """The spec of ``module`` found on the file system (nothing imported), or None."""
    return _lookup(module)[0]


@functools.cache
def _lookup(module: str) -> tuple[importlib.machinery.ModuleSpec | None, str | None]:
    """(spec of ``module``, None), or (None, its first dotted prefix that is missing)."""
    parts = module.split(".")
    spec = _top_level_spec(parts[0])
    if spec is None:
        return None, parts[0]
    for index in range(1, len(parts)):
        name = ".".join(parts[: index + 1])
        locations = spec.submodule_search_locations
        loaded = sys.modules.get(name)
        spec = loaded.__spec__ if loaded is not None else None
        if spec is None and locations:
            spec = importlib.machinery.PathFinder.find_spec(name, list(locations))
        if spec is None:
            return None, name
    return spec, None


def _top_level_spec(name: str) -> importlib.machinery.ModuleSpec | None:
    loaded = sys.modules.get(name)
    if loaded is not None and loaded.__spec__ is not None:
        return loaded.__spec__
    for finder in (
        importlib.machinery.BuiltinImporter,
        importlib.machinery.FrozenImporter,
        importlib.machinery.PathFinder,
    ):
        spec = finder.find_spec(name)
        if spec is not None:
            return spec
    return None
