"""``runtime-kit validate PATH...``: findings as ``path:line:col: CODE message``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from runtime_kit.cli.parsers import paths_parser, positive_int
from runtime_kit.findings import Finding, Severity, format_findings, has_errors

#: What ``validate`` checks, as its summary on a terminal says.
CHECKED = "metadata, declared schemas, main() and its parameters, imports, example inputs"
EPILOG = """On a terminal a summary says what was checked; in a pipe only findings are printed.

exit codes: 0 no errors, 1 errors (or warnings with --strict), 2 usage error.
codes: docs/validate.md"""


def build_parser() -> argparse.ArgumentParser:
    parser = paths_parser(
        "validate",
        "Check program metadata (JSON Schema) and source (ast). Never imports or runs the program.",
        EPILOG,
        "program directory or a file in it",
    )
    parser.add_argument("--program", type=Path, help="the program file, for unusual layouts")
    parser.add_argument("--metadata", type=Path, help="the metadata file, for unusual layouts")
    parser.add_argument(
        "--format",
        choices=["text", "json", "github"],
        default="text",
        help="output format (default: text)",
    )
    parser.add_argument(
        "--json", action="store_const", const="json", dest="format", help="same as --format json"
    )
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")
    parser.add_argument(
        "--resolve",
        action="store_true",
        help="also resolve the requirements a program declares on the package index (uv; "
        "needs the network)",
    )
    parser.add_argument(
        "--jobs",
        type=positive_int,
        metavar="N",
        help="processes to use (default: one per CPU when there are many programs)",
    )
    parser.add_argument(
        "--hook",
        action="store_true",
        help="PATHs are changed files (pre-commit): validate each program they "
        "belong to once, skip files outside programs",
    )
    return parser


def run(argv: list[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if (args.program or args.metadata) and len(args.paths) != 1:
        parser.error("--program and --metadata take exactly one PATH")
    from runtime_kit.validation import program_directories, validate_all

    targets = program_directories(args.paths, root=Path.cwd()) if args.hook else args.paths
    findings = validate_all(
        targets, program=args.program, metadata=args.metadata, jobs=args.jobs, resolve=args.resolve
    )
    output = format_findings(findings, args.format)
    if output:
        print(output)
    if (args.format == "text" and sys.stderr.isatty()) or findings:
        _summary(findings, len(targets))
    return 1 if has_errors(findings, strict=args.strict) else 0


def _summary(findings: list[Finding], programs: int) -> None:
    errors = sum(f.severity is Severity.ERROR for f in findings)
    warnings = len(findings) - errors
    noun = "program" if programs == 1 else "programs"
    if not findings:
        print(f"ok: {programs} {noun} checked ({CHECKED}): no problems found", file=sys.stderr)
        return
    print(f"{errors} error(s), {warnings} warning(s) in {programs} {noun}", file=sys.stderr)
