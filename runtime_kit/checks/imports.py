"""Every import of a program must resolve where it will run, found without importing it.

``importlib.util.find_spec("a.b")`` imports ``a`` to look inside it; a program importing
``qiskit.circuit`` would make ``validate`` pay for qiskit.  Here each dotted part is looked
up on the file system with ``PathFinder``, which only reads directories.
"""

from __future__ import annotations

import ast
import functools
import importlib.machinery
import sys
from collections.abc import Collection, Iterator
from pathlib import Path

from runtime_kit.findings import Finding
from runtime_kit.harness.legacy_modules import LEGACY_MODULES

#: Modules runtime-kit serves to programs (the harness maps them: legacy_modules), exactly.
PROVIDED = frozenset(name for name, exports in LEGACY_MODULES.items() if exports)

#: Modules removed from qiskit, with what to use instead.
REMOVED = {
    "qiskit.opflow": "removed in qiskit 1.0; use qiskit.quantum_info (SparsePauliOp)",
    "qiskit.algorithms": "removed in qiskit 1.0; use the qiskit_algorithms package",
    "qiskit.utils.algorithm_globals": "removed in qiskit 1.0; use qiskit_algorithms.utils",
    "qiskit.providers.ibmq": "qiskit-ibmq-provider was retired; use runtime-kit's program API",
    "qiskit.execute_function": "removed in qiskit 1.0; use backend.run(transpile(...))",
    "qiskit.tools": "removed in qiskit 1.0",
    "qiskit.test": "removed in qiskit 1.0",
    "qiskit.pulse": "removed in qiskit 2.0",
    "qiskit.providers.aer": "moved to the qiskit_aer package",
}

_STATEMENT_LISTS = ("body", "orelse")
_IMPORT_ERRORS = {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"}


def check_imports(path: Path, tree: ast.Module, local_modules: Collection[str]) -> list[Finding]:
    """Findings for imports of ``tree`` (the program at ``path``) that will not resolve.

    ``local_modules`` (modules and packages beside the program) count as present.
    Imports inside ``try: ... except ImportError`` are optional and not checked.
    """
    findings = []
    for node, module, guarded in _imports(tree.body, guarded=False):
        if guarded:
            continue
        problem = _problem(module, local_modules)
        if problem is not None:
            code, message = problem
            findings.append(Finding.of(path, (node.lineno, node.col_offset + 1), code, message))
    return findings


def _imports(statements: list[ast.stmt], *, guarded: bool) -> Iterator[tuple[ast.stmt, str, bool]]:
    """(statement, module, guarded) for every absolute import, at any depth.

    Imports are statements, so only statement lists are searched, never expressions:
    an order of magnitude fewer nodes than ``ast.walk``.
    """
    for node in statements:
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node, alias.name, guarded
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0 and node.module:
                yield node, node.module, guarded
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
    if module in PROVIDED:
        return None
    for removed, advice in REMOVED.items():
        if module == removed or module.startswith(removed + "."):
            return "RK402", f"cannot import {module!r}: {removed} was {advice}"
    if module.split(".", maxsplit=1)[0] in local_modules:
        return None
    missing = _first_missing(module)
    if missing is None:
        return None
    return "RK401", (
        f"cannot import {module!r}: no module {missing!r} in this environment ({sys.executable})"
    )


@functools.cache
def _first_missing(module: str) -> str | None:
    """The first dotted prefix of ``module`` that cannot be found, or None."""
    parts = module.split(".")
    spec = _top_level_spec(parts[0])
    if spec is None:
        return parts[0]
    for index in range(1, len(parts)):
        name = ".".join(parts[: index + 1])
        locations = spec.submodule_search_locations
        loaded = sys.modules.get(name)
        spec = loaded.__spec__ if loaded is not None else None
        if spec is None and locations:
            spec = importlib.machinery.PathFinder.find_spec(name, list(locations))
        if spec is None:
            return name
    return None


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
