"""The CLI reference, ``docs/cli.md``: every command's ``--help``, made from the parsers
themselves (``python -m runtime_kit.cli.reference > docs/cli.md``; a test keeps it true)."""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator

#: The help text's width: fixed, so the reference does not depend on the terminal.
WIDTH = 100


def cli_reference() -> str:
    """docs/cli.md: the top-level help, then each command's and each subcommand's."""
    from runtime_kit.cli.parsers import subcommands
    from runtime_kit.cli.root import full_parser

    saved = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = str(WIDTH + 2)  # argparse wraps at COLUMNS - 2
    try:
        root = full_parser()
        sections = [
            "# CLI reference",
            "",
            "Every command's `--help`, generated from the parsers "
            "(`python -m runtime_kit.cli.reference > docs/cli.md`; a test keeps it true).",
            "",
            *_section("runtime-kit", root),
        ]
        for name, parser in subcommands(root):
            sections += _section(f"runtime-kit {name}", parser)
            for sub, subparser in subcommands(parser):
                sections += _section(f"runtime-kit {name} {sub}", subparser)
        return "\n".join(sections)
    finally:
        if saved is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = saved


def _section(title: str, parser: argparse.ArgumentParser) -> Iterator[str]:
    depth = title.count(" ") + 1
    yield f"{'#' * min(depth + 1, 4)} `{title}`"
    yield ""
    yield "```text"
    yield parser.format_help().rstrip("\n")
    yield "```"
    yield ""


if __name__ == "__main__":
    print(cli_reference(), end="")
