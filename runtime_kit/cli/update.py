"""``runtime-kit update [PATH] [--check]``: merge template changes into a project."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from runtime_kit.cli.parsers import command_parser

if TYPE_CHECKING:
    from runtime_kit.update import UpdateReport

EPILOG = """Renders the template version the project was made from and the current one with the
project's answers (.runtime-kit-template.json, written by `runtime-kit new`) and merges the
difference into the project three ways: your edits are kept; where you and the template
changed the same lines, conflict markers (<<<<<<< yours / >>>>>>> template) are left.

exit codes: 0 updated or up to date, 1 conflicts to resolve (left now, or by an earlier
update: nothing is merged until they are resolved; with --check, also: an update is
available), 2 usage error (no template record)."""


def build_parser() -> argparse.ArgumentParser:
    parser = command_parser(
        "update", "Bring a project up to the current version of its template.", EPILOG
    )
    parser.add_argument(
        "path", nargs="?", type=Path, default=Path("."), metavar="PATH", help="project (default: .)"
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if an update is available")
    parser.add_argument("--json", action="store_true", help="print JSON")
    return parser


def run(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    from runtime_kit.update import update_project

    report = update_project(args.path, check=args.check)
    if args.json:
        print(json.dumps(report.to_json()))
    else:
        _print(report, args.check)
    if report.unresolved:
        return 1
    if args.check:
        return 1 if report.available else 0
    return 1 if report.conflicts else 0


def _print(report: UpdateReport, check: bool) -> None:
    versions = f"{report.template} {report.from_version} -> {report.to_version}"
    if report.unresolved:
        print(f"not updated: unresolved merge conflicts ({', '.join(report.unresolved)})")
        print("resolve them (markers <<<<<<< yours / >>>>>>> template), then run update again")
        return
    if not report.available:
        print(f"up to date: {report.template} version {report.to_version}")
        return
    if check:
        print(f"update available: {versions} (run `runtime-kit update`)")
        return
    print(f"updated: {versions}")
    for kind in ("updated", "merged", "added", "removed", "conflicts"):
        for path in getattr(report, kind):
            print(f"  {kind[:-1] if kind == 'conflicts' else kind:8} {path}")
    if report.conflicts:
        print("resolve the conflicts (markers <<<<<<< yours / >>>>>>> template), then commit")
