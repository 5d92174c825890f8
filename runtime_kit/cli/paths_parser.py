"""The argparse parser shape of the fast commands (``validate``, ``migrate``): PATH... first."""

from __future__ import annotations

import argparse
from pathlib import Path


def paths_parser(
    command: str, description: str, epilog: str, paths_help: str
) -> argparse.ArgumentParser:
    """A parser for ``runtime-kit <command> [PATH...]``; PATH defaults to the current folder."""
    parser = argparse.ArgumentParser(
        prog=f"runtime-kit {command}",
        description=description,
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "paths",
        nargs="*",
        type=Path,
        default=[Path(".")],
        metavar="PATH",
        help=f"{paths_help} (default: .)",
    )
    return parser


def positive_int(text: str) -> int:
    """argparse type: an integer >= 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value
