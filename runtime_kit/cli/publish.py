"""``runtime-kit publish PATH``: validate, bundle, and create or update the program."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from runtime_kit.cli.build import say_left_out
from runtime_kit.cli.parsers import command_parser

EPILOG = """Creates the program, or updates your program of that name: a new version when the
metadata's version is new to it (see docs/publish.md, versions), else the current version in
place, its data and its metadata (description, max_execution_time, spec); `unchanged` only
when nothing differs. --dry-run shows the manifest and the metadata changes instead.

exit codes: 0 published (or unchanged), 1 validate errors, 2 usage, 3 credentials,
4 the service failed."""


def build_parser() -> argparse.ArgumentParser:
    parser = command_parser("publish", "Publish a program to the runtime service.", EPILOG)
    parser.add_argument("path", type=Path, metavar="PATH", help="program directory or file")
    visibility = parser.add_mutually_exclusive_group()
    visibility.add_argument(
        "--public",
        dest="public",
        action="store_const",
        const=True,
        help="every token may see and run it (default for a new program: private)",
    )
    visibility.add_argument(
        "--private",
        dest="public",
        action="store_const",
        const=False,
        help="only you may see and run it",
    )
    parser.add_argument("--dry-run", action="store_true", help="show what would change")
    parser.add_argument("--yes", action="store_true", help="do not ask before updating")
    parser.add_argument("--json", action="store_true", help="print JSON")
    return parser


def run(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    from runtime_kit.cli.terminal import progress
    from runtime_kit.publishing import publish

    outcome = publish(
        args.path,
        public=args.public,
        dry_run=args.dry_run,
        confirm=None if args.yes or not sys.stdin.isatty() else _ask,
        progress=None if args.json else progress,
    )
    if args.json:
        print(json.dumps(outcome))
        return 0
    say_left_out(outcome["left_out"])
    if args.dry_run:
        print(json.dumps(outcome["manifest"], indent=2))
        for line in outcome["metadata_diff"] or ["(metadata unchanged)"]:
            print(line)
    what = outcome["program_id"] or outcome["name"]
    action = f"dry run, would {_WOULD[outcome['would']]}" if args.dry_run else outcome["action"]
    print(
        f"{action}: {what} version {outcome['version']} ({outcome['digest'][:12]})",
        file=sys.stderr,
    )
    print(outcome["program_id"] or "")
    return 0


#: What a dry run says it would do, by the action the real run would report.
_WOULD = {
    "create": "create",
    "new version": "add a new version",
    "updated": "update",
    "unchanged": "change nothing",
}


def _ask(question: str) -> bool:
    return input(f"{question} [y/N] ").strip().lower() in ("y", "yes")
