"""``runtime-kit [--help | --version]``, and the whole command tree (completion, docs/cli.md)."""

from __future__ import annotations

import argparse

from runtime_kit import __version__
from runtime_kit.cli import COMMANDS, load

DESCRIPTION = "Write, test, publish and serve Qiskit Runtime programs."
EPILOG = """Run `runtime-kit COMMAND --help` for a command's options.

exit codes: 0 success, 1 findings or a failed job, 2 usage error, 3 configuration or
credentials, 4 service or network error, 70 internal error (a crash report is written)."""


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser; each command's line, not its options (those are its own)."""
    parser = argparse.ArgumentParser(
        prog="runtime-kit",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version", action="version", version=f"runtime-kit {__version__}", help="print it"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (_, summary) in COMMANDS.items():
        commands.add_parser(name, help=summary, add_help=False)
    return parser


def full_parser() -> argparse.ArgumentParser:
    """The top-level parser with every command's own parser under it (imports every command
    module, none of which imports qiskit at import time)."""
    parser = build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name in COMMANDS:
                action.choices[name] = load(name).build_parser()
    return parser


def run(argv: list[str]) -> int:
    parser = build_parser()
    if not argv:
        parser.print_help()
        return 0
    if not argv[0].startswith("-"):
        parser.error(f"no such command {argv[0]!r} (commands: {', '.join(COMMANDS)})")
    parser.parse_args(argv)  # --help, --version, or a usage error; each exits
    return 0
