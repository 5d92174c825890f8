"""``runtime-kit new NAME``: a program project from a template."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from runtime_kit.cli.completion import complete_templates
from runtime_kit.cli.parsers import command_parser

EPILOG = """Prompts for the template's values only on a terminal (never with --no-input).

exit codes: 0 created, 1 the directory exists (use --force) or the template failed,
2 usage error (unknown template, bad --set)."""


def build_parser() -> argparse.ArgumentParser:
    parser = command_parser(
        "new",
        "Create a program project (program, metadata, example inputs, tests, "
        "README, pre-commit config) from a cookiecutter template.",
        EPILOG,
    )
    parser.add_argument("name", nargs="?", metavar="NAME", help="project name")
    template = parser.add_argument(
        "--template", "-t", default="hello", help="bundled template name, template dir, or git URL"
    )
    template.completer = complete_templates  # type: ignore[attr-defined]
    parser.add_argument(
        "-o", "--output-dir", type=Path, default=Path("."), metavar="DIR", help="where to create it"
    )
    parser.add_argument("--no-input", action="store_true", help="never prompt")
    parser.add_argument(
        "--set", action="append", default=[], metavar="KEY=VALUE", help="set a template value"
    )
    parser.add_argument("--force", action="store_true", help="render into an existing directory")
    parser.add_argument("--list", action="store_true", help="list the bundled templates")
    return parser


def run(argv: list[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from runtime_kit.scaffold import bundled_templates, create_project, next_steps

    if args.list:
        from runtime_kit.template_versions import current_version

        for template in bundled_templates():
            print(f"{template.name:16} v{current_version(template.name):<3} {template.summary}")
        return 0
    values = {}
    for assignment in args.set:
        key, sep, value = assignment.partition("=")
        if not sep or not key.strip():
            parser.error(f"--set {assignment!r}: expected KEY=VALUE")
        values[key.strip()] = value
    if args.name is None and "project_name" not in values and not sys.stdin.isatty():
        parser.error("NAME is required when not on a terminal")
    project = create_project(
        args.name,
        template=args.template,
        output_dir=args.output_dir,
        values=values,
        no_input=args.no_input or not sys.stdin.isatty(),
        overwrite=args.force,
    )
    print(f"created {project} (template {args.template})", file=sys.stderr)
    print(f"next: {next_steps(project)}", file=sys.stderr)
    print(project)
    return 0
