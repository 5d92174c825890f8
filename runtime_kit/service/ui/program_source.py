"""What a program's source says of its inputs, read with ``ast`` (the program is never
imported or run): the defaults of ``main()``'s parameters, for the parameter table."""

from __future__ import annotations

import ast
import io
import json
import zipfile

from runtime_kit.checks.source import HARNESS_ARGUMENTS, find_main
from runtime_kit.project import PROGRAM_NAMES

#: The program module is read only up to this size (a larger one shows no defaults).
MAX_SOURCE_BYTES = 1 << 20
MAX_SHOWN_CHARS = 200


def main_defaults(data: bytes, kind: str) -> dict[str, str]:
    """The defaults of ``main()``'s parameters in a program's stored ``data`` (``kind``
    "source", or "zip": a bundle), by name: JSON text for a literal JSON can hold, else
    the expression's source text.  Empty when the module or ``main()`` is not found, or
    does not parse."""
    source = program_module(data, kind)
    if source is None:
        return {}
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return {}
    main = find_main(tree)
    if main is None:
        return {}
    return {name: _shown(node) for name, node in _defaults(main).items()}


def program_module(data: bytes, kind: str) -> str | None:
    """The text of the module that defines ``main()``: the source itself, or the bundle's
    top-level ``program.py``/``main.py``, or its one top-level module defining ``main``
    (the harness's rule)."""
    if kind == "source":
        return data.decode("utf-8", errors="replace") if len(data) <= MAX_SOURCE_BYTES else None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as bundle:
            modules = {
                info.filename: info
                for info in bundle.infolist()
                if "/" not in info.filename
                and info.filename.endswith(".py")
                and info.file_size <= MAX_SOURCE_BYTES
            }
            texts = {
                name: bundle.read(info).decode("utf-8", errors="replace")
                for name, info in modules.items()
            }
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    for name in PROGRAM_NAMES:
        if name in texts:
            return texts[name]
    defining = [text for text in texts.values() if _defines_main(text)]
    return defining[0] if len(defining) == 1 else None


def _defaults(main: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[str, ast.expr]:
    args = main.args
    positional = args.posonlyargs + args.args
    pairs = list(
        zip(positional[len(positional) - len(args.defaults) :], args.defaults, strict=True)
    )
    pairs += [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d]
    return {a.arg: default for a, default in pairs if a.arg not in HARNESS_ARGUMENTS}


def _shown(node: ast.expr) -> str:
    try:
        text = json.dumps(ast.literal_eval(node), ensure_ascii=False, allow_nan=False)
    except (ValueError, TypeError, SyntaxError, RecursionError, MemoryError):
        text = ast.unparse(node)
    return text if len(text) <= MAX_SHOWN_CHARS else text[: MAX_SHOWN_CHARS - 1] + "…"


def _defines_main(text: str) -> bool:
    return any(line.startswith(("def main(", "async def main(")) for line in text.splitlines())
