"""``main()`` against the declared parameters: signature, reachability, kwargs use."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple

from runtime_kit.findings import Finding, conflict_findings

Position = tuple[int, int]
HARNESS_ARGUMENTS = ("backend", "user_messenger")


class DeclaredParameters(NamedTuple):
    """What the metadata declares: names, required names, and where each is declared."""

    names: tuple[str, ...]
    #: None when ``required`` is malformed (reported elsewhere): then nothing is known.
    required: frozenset[str] | None
    position_of: Callable[[str], Position]
    path: str


def parse_program(path: Path, source: str) -> tuple[ast.Module | None, list[Finding]]:
    try:
        return ast.parse(source, filename=str(path)), []
    except SyntaxError as exc:
        conflicts = conflict_findings(path, source)
        if conflicts:
            return None, conflicts
        position = (exc.lineno or 1, exc.offset or 1)
        return None, [Finding.of(path, position, "RK301", f"syntax error: {exc.msg}")]
    except ValueError as exc:  # e.g. null bytes
        return None, [Finding.of(path, (1, 1), "RK301", f"cannot parse: {exc}")]


def find_main(tree: ast.Module) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    mains = [
        node
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == "main"
    ]
    return mains[-1] if mains else None


def binds_main(tree: ast.Module) -> bool:
    """``main`` bound at module level other than by ``def`` (imported or assigned)."""
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            if any((alias.asname or alias.name.split(".")[0]) == "main" for alias in node.names):
                return True
        elif isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "main" for t in node.targets
        ):
            return True
    return False


def check_main(path: Path, tree: ast.Module, declared: DeclaredParameters | None) -> list[Finding]:
    main = find_main(tree)
    if main is None:
        if binds_main(tree):
            return []  # main comes from elsewhere: nothing to check here
        return [
            Finding.of(
                path,
                (1, 1),
                "RK302",
                "no module-level `def main(backend, user_messenger, **kwargs)`",
            )
        ]
    findings = list(_signature_findings(path, main))
    if isinstance(main, ast.AsyncFunctionDef):
        findings.append(
            Finding.of(
                path, _pos(main), "RK303", "main() must be a plain function, not `async def`"
            )
        )
    if declared is not None:
        findings += _parameter_findings(path, main, declared)
        findings += _kwargs_findings(path, main, declared)
    return findings


def _signature_findings(
    path: Path, main: ast.FunctionDef | ast.AsyncFunctionDef
) -> Iterator[Finding]:
    positional = [a.arg for a in main.args.posonlyargs + main.args.args]
    if positional[:2] != list(HARNESS_ARGUMENTS):
        got = ", ".join(positional[:2]) or "nothing"
        yield Finding.of(
            path,
            _pos(main),
            "RK303",
            f"main() must start with (backend, user_messenger, ...), got ({got})",
        )


def main_inputs(main: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    """The inputs ``main`` names: its parameters after ``backend`` and ``user_messenger``."""
    return list(_named_parameters(main))


def _named_parameters(main: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[str, bool]:
    """Parameters after the first two, by name -> whether they have a default.

    ``backend`` and ``user_messenger`` are never inputs, wherever they stand (a misplaced
    one is reported by the signature check).
    """
    args = main.args
    positional = (args.posonlyargs + args.args)[2:]
    defaults_from = len(args.posonlyargs + args.args) - len(args.defaults)
    named = {a.arg: index + 2 >= defaults_from for index, a in enumerate(positional)}
    for a, default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        named[a.arg] = default is not None
    return {name: default for name, default in named.items() if name not in HARNESS_ARGUMENTS}


def _parameter_findings(
    path: Path, main: ast.FunctionDef | ast.AsyncFunctionDef, declared: DeclaredParameters
) -> Iterator[Finding]:
    named = _named_parameters(main)
    takes_kwargs = main.args.kwarg is not None
    for name in declared.names:
        if name not in named and not takes_kwargs:
            yield Finding.of(
                declared.path,
                declared.position_of(name),
                "RK304",
                f"parameter {name!r} is declared but main() has neither a "
                f"{name!r} parameter nor **kwargs",
            )
    for name, has_default in named.items():
        if has_default or declared.required is None or name in declared.required:
            continue
        what = "declared optional" if name in declared.names else "not declared"
        yield Finding.of(
            path,
            _arg_pos(main, name),
            "RK305",
            f"main() parameter {name!r} has no default but is {what}: "
            f"declare it in spec.parameters.required or give it a default",
        )


def _kwargs_findings(
    path: Path, main: ast.FunctionDef | ast.AsyncFunctionDef, declared: DeclaredParameters
) -> Iterator[Finding]:
    if main.args.kwarg is None:
        return
    kwargs = main.args.kwarg.arg
    for node in ast.walk(main):
        key = _kwargs_key(node, kwargs)
        if key is not None and key[0] not in declared.names:
            yield Finding.of(
                path,
                key[1],
                "RK306",
                f"main() reads {kwargs}[{key[0]!r}] but {key[0]!r} is not declared "
                f"in spec.parameters",
            )


def _kwargs_key(node: ast.AST, kwargs: str) -> tuple[str, Position] | None:
    """``kwargs["x"]``, ``kwargs.get("x")`` or ``kwargs.pop("x")`` -> ("x", where)."""
    if (
        isinstance(node, ast.Subscript)
        and _is_name(node.value, kwargs)
        and isinstance(node.slice, ast.Constant)
        and isinstance(node.slice.value, str)
    ):
        return node.slice.value, _pos(node)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("get", "pop", "setdefault")
        and _is_name(node.func.value, kwargs)
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ):
        return node.args[0].value, _pos(node)
    return None


def _is_name(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def _pos(node: ast.AST) -> Position:
    return getattr(node, "lineno", 1), getattr(node, "col_offset", 0) + 1


def _arg_pos(main: ast.FunctionDef | ast.AsyncFunctionDef, name: str) -> Position:
    args = main.args
    for a in args.posonlyargs + args.args + args.kwonlyargs:
        if a.arg == name:
            return _pos(a)
    return _pos(main)
