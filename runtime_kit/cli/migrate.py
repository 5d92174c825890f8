"""``runtime-kit migrate PATH...``: rewrite v1 metadata as v2, in place; with ``--source``,
rewrite the legacy imports of Python sources to their modern names."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from runtime_kit.cli.parsers import paths_parser
from runtime_kit.errors import MetadataSyntaxError, MigrationError

EPILOG = """With --source, each PATH is a Python file or a directory searched for *.py files:
qiskit.providers.ibmq.runtime -> runtime_kit, qiskit.providers.aer -> qiskit_aer,
qiskit.algorithms -> qiskit_algorithms, qiskit.Aer -> qiskit_aer.Aer, execute(...) ->
backend.run(transpile(...), ...). Legacy names without a modern spelling are left and listed.

exit codes: 0 done (or nothing to do), 1 a file could not be migrated or (--source) legacy
names were left (or, with --check, a file needs migrating), 2 usage error."""


def build_parser() -> argparse.ArgumentParser:
    parser = paths_parser(
        "migrate",
        "Rewrite v1 program metadata (flat lists) as v2 (spec + JSON Schemas). "
        "Files are replaced atomically and keep their format (JSON or YAML).",
        EPILOG,
        "metadata file, or program directory holding one",
    )
    parser.add_argument(
        "--source",
        action="store_true",
        help="the PATHs are Python sources: rewrite their legacy imports to modern names",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--check", action="store_true", help="report what would change; write nothing"
    )
    mode.add_argument(
        "--stdout", action="store_true", help="print the new text instead of writing it"
    )
    return parser


def run(argv: list[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.stdout and (len(args.paths) != 1 or (args.source and args.paths[0].is_dir())):
        parser.error("--stdout takes exactly one PATH (with --source, one file)")
    if args.source:
        return _migrate_sources(args.paths, check=args.check, stdout=args.stdout)
    from runtime_kit.metadata.migrate import migrate_file

    failed = pending = False
    for path in args.paths:
        metadata = _metadata_file(path)
        if metadata is None:
            print(f"{path}:0:0: error: no metadata file found", file=sys.stderr)
            failed = True
            continue
        try:
            migration = migrate_file(metadata, write=not (args.check or args.stdout))
        except (MetadataSyntaxError, MigrationError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            failed = True
            continue
        for note, (line, col) in zip(migration.notes, migration.positions, strict=True):
            print(f"{metadata}:{line}:{col}: note: {note.message}", file=sys.stderr)
        if args.stdout:
            sys.stdout.write(migration.text or metadata.read_text(encoding="utf-8"))
        elif not migration.changed:
            print(f"{metadata}: already v2, nothing to do", file=sys.stderr)
        elif args.check:
            print(f"{metadata}: v1 metadata, would be migrated", file=sys.stderr)
            pending = True
        else:
            print(f"{metadata}: migrated to v2", file=sys.stderr)
    return 1 if failed or pending else 0


def _metadata_file(path: Path) -> Path | None:
    if not path.is_dir():
        return path
    from runtime_kit.project import locate

    return locate(path)[0].metadata


def _migrate_sources(paths: list[Path], *, check: bool, stdout: bool) -> int:
    from runtime_kit.modernize.source import migrate_source_file, source_files

    failed = pending = False
    changed = left = 0
    for path in paths:
        if not path.exists():
            print(f"{path}:0:0: error: no such file or directory", file=sys.stderr)
            failed = True
            continue
        for file in source_files(path):
            try:
                migration = migrate_source_file(file, write=not (check or stdout))
            except MigrationError as exc:
                print(f"error: {exc}", file=sys.stderr)
                failed = True
                continue
            for note in migration.notes:
                print(f"{file}:{note.line}:{note.col}: note: {note.message}", file=sys.stderr)
            left += sum(note.left for note in migration.notes)
            if stdout:
                sys.stdout.write(migration.text or file.read_text(encoding="utf-8"))
            elif migration.changed:
                changed += 1
                pending = pending or check
                verb = "would be migrated" if check else "migrated"
                print(f"{file}: legacy imports {verb}", file=sys.stderr)
    if left:
        print(f"{left} legacy name(s) without a modern spelling left as they are", file=sys.stderr)
    elif not stdout and not changed and not failed:
        print("nothing to migrate", file=sys.stderr)
    return 1 if failed or left or pending else 0
