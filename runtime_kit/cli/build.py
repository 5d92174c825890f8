"""``runtime-kit build PATH``: the program's deterministic bundle (zip + manifest)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from runtime_kit.cli.parsers import command_parser

EPILOG = """Files: everything in the program's directory except .gitignore / .runtimeignore rules
(gitignore syntax), version control, caches, virtual environments, and files that look like
secrets (.env, *.pem, *.key, .netrc, .git-credentials; re-include one with a !NAME rule in
.runtimeignore). Building twice gives the same bytes.

exit codes: 0 built (or listed), 1 the program cannot be bundled, 2 usage error."""


def build_parser() -> argparse.ArgumentParser:
    parser = command_parser("build", "Bundle a program reproducibly (zip with a manifest).", EPILOG)
    parser.add_argument("path", type=Path, metavar="PATH", help="program directory or file")
    parser.add_argument(
        "-o",
        "--output-dir",
        type=Path,
        default=Path("dist"),
        metavar="DIR",
        help="where the zip goes (default: dist)",
    )
    parser.add_argument("--list", action="store_true", help="show what goes in; write nothing")
    parser.add_argument("--json", action="store_true", help="print JSON")
    return parser


def run(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    from runtime_kit.bundle import build_bundle
    from runtime_kit.cli.terminal import progress

    bundle = build_bundle(args.path, progress=progress)
    if not args.json:
        say_left_out(bundle.left_out)
    if args.list:
        if args.json:
            print(
                json.dumps(
                    {
                        "files": [{"path": p, "size": s} for p, s in bundle.files],
                        "size": bundle.size,
                        "kind": bundle.kind,
                        "left_out": list(bundle.left_out),
                    }
                )
            )
        else:
            for name, size in bundle.files:
                print(f"{size:>10}  {name}")
            print(
                f"{bundle.size:>10}  total ({len(bundle.files)} files; uploads as {bundle.kind})",
                file=sys.stderr,
            )
        return 0
    args.output_dir.mkdir(parents=True, exist_ok=True)
    target = args.output_dir / f"{bundle.name}-{bundle.version}.zip"
    data = bundle.zip_bytes()
    target.write_bytes(data)
    import hashlib

    digest = hashlib.sha256(data).hexdigest()
    if args.json:
        print(
            json.dumps(
                {
                    "path": str(target),
                    "sha256": digest,
                    "files": len(bundle.files),
                    "size": len(data),
                    "left_out": list(bundle.left_out),
                }
            )
        )
    else:
        print(f"{target}  sha256 {digest}  ({len(bundle.files)} files, {len(data)} bytes)")
    return 0


def say_left_out(left_out: list[str] | tuple[str, ...]) -> None:
    """Tell (on stderr) which files were left out because they look like secrets."""
    if left_out:
        print(
            f"left out (they look like secrets): {', '.join(left_out)} "
            "(a !NAME rule in .runtimeignore includes one)",
            file=sys.stderr,
        )
