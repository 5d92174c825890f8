"""The names a module defines, read from its source without importing it.

``from qiskit.circuit.random import random_circuitt`` fails only when the program runs; to
say so in ``validate`` (which must not import qiskit) the module's source is parsed and
every name it can bind at module level is collected: definitions, assignments, imports,
star imports (followed into the modules they name) and, for a package, its submodules.

When a module may bind names that its source does not show (a compiled module, a
module-level ``__getattr__``, ``globals()``/``exec``, a star import that cannot be followed)
nothing is known, and nothing is reported: a finding here must never be a false alarm.
"""

from __future__ import annotations

import ast
import functools
import importlib.machinery
from pathlib import Path

#: Module-level calls after which the module's names cannot be read from its source.
_DYNAMIC_CALLS = frozenset({"globals", "vars", "exec", "setattr", "__import__"})
_MAX_STAR_DEPTH = 8


def defined_names(spec: importlib.machinery.ModuleSpec) -> frozenset[str] | None:
    """Every name ``from <module> import NAME`` can take from the module of ``spec``, or
    None when its source cannot tell (see the module's docstring)."""
    origin = spec.origin
    if origin is None or not origin.endswith(".py"):
        return None
    return _names_in(origin, spec.name, tuple(spec.submodule_search_locations or ()), 0)


@functools.cache
def _names_in(
    origin: str, module: str, locations: tuple[str, ...], depth: int
) -> frozenset[str] | None:
    try:
        tree = ast.parse(Path(origin).read_bytes(), filename=origin)
    except (OSError, SyntaxError, ValueError):
        return None
    names: set[str] = set()
    for statement in _module_level(tree.body):
        found = _bound_by(statement, module, bool(locations), depth)
        if found is None or "__getattr__" in found:  # e.g. lazy_loader's attach()
            return None
        names |= found
    for location in locations:
        names |= _submodules(Path(location))
    return frozenset(names)


def _module_level(statements: list[ast.stmt]) -> list[ast.stmt]:
    """The statements that run when the module is imported: into if/try/with/for blocks,
    not into functions and classes."""
    found: list[ast.stmt] = []
    for node in statements:
        found.append(node)
        for field in ("body", "orelse", "finalbody"):
            if isinstance(node, ast.If | ast.Try | ast.TryStar | ast.With | ast.For | ast.While):
                found += _module_level(getattr(node, field, None) or [])
        if isinstance(node, ast.Try | ast.TryStar):
            for handler in node.handlers:
                found += _module_level(handler.body)
    return found


def _bound_by(node: ast.stmt, module: str, package: bool, depth: int) -> set[str] | None:
    """Names ``node`` binds in the module (None: it makes the module's names unknowable)."""
    if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and _dynamic(
        node
    ):
        return None
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        # a module-level function that writes globals(), sets attributes of modules or
        # extends __all__ can add names to this module when it is called
        unknowable = node.name == "__getattr__" or _calls(node, "globals", "setattr")
        unknowable = unknowable or _extends_all(node)
        return None if unknowable else {node.name}
    if isinstance(node, ast.ClassDef):
        return {node.name}
    if isinstance(node, ast.Assign):
        if any(_replaces_module(target, module) for target in node.targets):
            return None
        return {name for target in node.targets for name in _target_names(target)}
    if isinstance(node, ast.AnnAssign | ast.AugAssign):
        return _target_names(node.target)
    if isinstance(node, ast.For):
        return _target_names(node.target)
    if isinstance(node, ast.With):
        return {
            n
            for item in node.items
            if item.optional_vars
            for n in _target_names(item.optional_vars)
        }
    if isinstance(node, ast.Import):
        return {alias.asname or alias.name.split(".")[0] for alias in node.names}
    if isinstance(node, ast.ImportFrom):
        return _imported(node, module, package, depth)
    return set()


def _target_names(target: ast.expr) -> set[str]:
    if isinstance(target, ast.Name):
        return {target.id}
    if isinstance(target, ast.Tuple | ast.List):
        return {name for element in target.elts for name in _target_names(element)}
    if isinstance(target, ast.Starred):
        return _target_names(target.value)
    return set()  # attributes and subscripts bind no module name


def _replaces_module(target: ast.expr, module: str) -> bool:
    """``sys.modules[__name__] = ...``: the module becomes another object."""
    if not (
        isinstance(target, ast.Subscript)
        and isinstance(target.value, ast.Attribute)
        and target.value.attr == "modules"
    ):
        return False
    key = target.slice
    return (isinstance(key, ast.Name) and key.id == "__name__") or (
        isinstance(key, ast.Constant) and key.value == module
    )


def _dynamic(value: ast.AST) -> bool:
    return _calls(value, *_DYNAMIC_CALLS)


def _extends_all(value: ast.AST) -> bool:
    return any(
        isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
        and node.value.id == "__all__"
        for node in ast.walk(value)
    )  # fmt: skip


def _calls(value: ast.AST, *functions: str) -> bool:
    return any(
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        and node.func.id in functions
        for node in ast.walk(value)
    )  # fmt: skip


def _imported(node: ast.ImportFrom, module: str, package: bool, depth: int) -> set[str] | None:
    if not any(alias.name == "*" for alias in node.names):
        names = {alias.asname or alias.name for alias in node.names}
        if node.level and node.module:  # `from .sub import x` also binds `sub` in a package
            names.add(node.module.split(".")[0])
        return names
    source = _absolute(node, module, package)
    if source is None or depth >= _MAX_STAR_DEPTH:
        return None
    return _star_names(source, depth + 1)


def _absolute(node: ast.ImportFrom, module: str, package: bool) -> str | None:
    if node.level == 0:
        return node.module
    base = module.split(".")
    drop = node.level - 1 if package else node.level
    if drop >= len(base):
        return None
    parent = base[: len(base) - drop]
    return ".".join([*parent, node.module] if node.module else parent)


def _star_names(module: str, depth: int) -> set[str] | None:
    """What ``from module import *`` binds: its ``__all__``, else its public names (both,
    to be safe: an ``__all__`` built up in steps is not read whole here)."""
    from runtime_kit.checks.imports import find_module

    spec = find_module(module)
    if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
        return None
    locations = tuple(spec.submodule_search_locations or ())
    names = _names_in(spec.origin, module, locations, depth)
    if names is None:
        return None
    return {name for name in names if not name.startswith("_")} | set(
        _declared_all(spec.origin) or ()
    )


def _declared_all(origin: str) -> list[str] | None:
    """``__all__`` when the module sets it to a literal list or tuple of strings."""
    try:
        tree = ast.parse(Path(origin).read_bytes(), filename=origin)
    except (OSError, SyntaxError, ValueError):
        return None
    for node in _module_level(tree.body):
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)
            and isinstance(node.value, ast.List | ast.Tuple)
            and all(
                isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.value.elts
            )
        ):
            return [e.value for e in node.value.elts]  # type: ignore[attr-defined]
    return None


def _submodules(directory: Path) -> set[str]:
    """Modules and packages in a package's directory (``from pkg import sub`` imports them)."""
    try:
        entries = list(directory.iterdir())
    except OSError:
        return set()
    names = set()
    for entry in entries:
        if entry.is_dir() and entry.name.isidentifier():
            names.add(entry.name)  # a package, or a namespace package
        elif entry.suffix in (".py", ".so", ".pyd"):
            names.add(entry.name.split(".")[0])
    return names
