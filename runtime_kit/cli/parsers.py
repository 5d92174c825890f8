"""The argparse shapes of the commands (they are dispatched without typer, for speed)."""

from __future__ import annotations

import argparse
from pathlib import Path


def command_parser(command: str, description: str, epilog: str) -> argparse.ArgumentParser:
    """The parser of ``runtime-kit <command>``; ``epilog`` keeps its line breaks."""
    return argparse.ArgumentParser(
        prog=f"runtime-kit {command}",
        description=description,
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def paths_parser(
    command: str, description: str, epilog: str, paths_help: str
) -> argparse.ArgumentParser:
    """A parser for ``runtime-kit <command> [PATH...]``; PATH defaults to the current folder."""
    parser = command_parser(command, description, epilog)
    parser.add_argument(
        "paths",
        nargs="*",
        type=Path,
        default=[Path(".")],
        metavar="PATH",
        help=f"{paths_help} (default: .)",
    )
    return parser


def port(text: str) -> int:
    """argparse type: a TCP port, 0-65535 (0: any free one)."""
    value = int(text) if text.isdigit() else -1
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port 0-65535, got {text!r}")
    return value


def positive_float(text: str) -> float:
    """argparse type: a number of seconds > 0."""
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:  # also refuses nan
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def positive_int(text: str) -> int:
    """argparse type: an integer >= 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value
