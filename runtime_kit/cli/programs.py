"""``runtime-kit programs list|show|delete|visibility``."""

from __future__ import annotations

import argparse
import json

from runtime_kit.cli.parsers import command_parser

EPILOG = "exit codes: 0 done, 2 usage, 3 credentials, 4 the service failed (e.g. not found)."


def build_parser() -> argparse.ArgumentParser:
    parser = command_parser(
        "programs", "List, show, delete programs; set their visibility.", EPILOG
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    listing = commands.add_parser("list", help="programs you can see")
    listing.add_argument("--limit", type=int, default=None)
    show = commands.add_parser("show", help="one program, with its parameters and versions")
    show.add_argument("program_id", metavar="PROGRAM")
    show.add_argument("--version")
    delete = commands.add_parser("delete", help="delete one of your programs")
    delete.add_argument("program_id", metavar="PROGRAM")
    visibility = commands.add_parser("visibility", help="make a program public or private")
    visibility.add_argument("program_id", metavar="PROGRAM")
    visibility.add_argument("visibility", choices=["public", "private"])
    return parser


def run(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    from runtime_kit.client.service import RuntimeService

    service = RuntimeService()
    if args.command == "list":
        programs = service.programs(refresh=True, limit=args.limit)
        if args.json:
            print(json.dumps([p.to_dict() for p in programs]))
        for program in [] if args.json else programs:
            public = "public " if program.is_public else "private"
            print(f"{program.program_id:40}  v{program.version:8}  {public}  {program.description}")
    elif args.command == "show":
        program = service.program(args.program_id, refresh=True, version=args.version)
        print(json.dumps(program.to_dict()) if args.json else program)
    elif args.command == "delete":
        service.delete_program(args.program_id)
        print(
            json.dumps({"deleted": args.program_id}) if args.json else f"deleted {args.program_id}"
        )
    else:
        service.set_program_visibility(args.program_id, args.visibility == "public")
        done = {"program": args.program_id, "visibility": args.visibility}
        print(json.dumps(done) if args.json else f"{args.program_id} is {args.visibility}")
    return 0
