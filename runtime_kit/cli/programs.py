"""``runtime-kit programs list|show|delete|visibility``."""

from __future__ import annotations

import argparse
import json

from runtime_kit.cli.parsers import CommandGroup, json_option

EPILOG = """PROGRAM is a program's id, or its name: yours if you have one of that name, else the
only program of that name you can see (an ambiguous or unknown name is an error).

exit codes: 0 done, 2 usage or an ambiguous name, 3 credentials, 4 the service failed
(e.g. not found)."""


def build_group() -> CommandGroup:
    group = CommandGroup(
        "programs", "List, show, delete programs; set their visibility.", EPILOG, json_option
    )
    listing = group.add("list", "programs you can see (yours and public ones)")
    listing.add_argument("--limit", type=int, default=None, metavar="N", help="at most N")
    show = group.add("show", "one program, with its parameters and versions")
    show.add_argument("program", metavar="PROGRAM", help="id or name")
    show.add_argument("--version", help="that version's data, parameters and cost")
    delete = group.add("delete", "delete one of your programs (all its versions)")
    delete.add_argument("program", metavar="PROGRAM", help="id or name")
    visibility = group.add("visibility", "make one of your programs public or private")
    visibility.add_argument("program", metavar="PROGRAM", help="id or name")
    visibility.add_argument(
        "visibility", choices=["public", "private"], help="public: every token can run it"
    )
    return group


def build_parser() -> argparse.ArgumentParser:
    return build_group().parser


def run(argv: list[str]) -> int:
    args = build_group().parse(argv)
    from runtime_kit.client.service import RuntimeService

    service = RuntimeService()
    if args.command == "list":
        programs = service.programs(refresh=True, limit=args.limit)
        if args.json:
            print(json.dumps([p.to_dict() for p in programs]))
        for program in [] if args.json else programs:
            public = "public " if program.is_public else "private"
            print(f"{program.program_id:40}  v{program.version:8}  {public}  {program.description}")
        return 0
    program = service.find_program(args.program, version=getattr(args, "version", None))
    program_id = program.program_id
    if args.command == "show":
        print(json.dumps(program.to_dict()) if args.json else program.describe())
    elif args.command == "delete":
        service.delete_program(program_id)
        print(json.dumps({"deleted": program_id}) if args.json else f"deleted {program_id}")
    else:
        service.set_program_visibility(program_id, args.visibility == "public")
        done = {"program": program_id, "visibility": args.visibility}
        print(json.dumps(done) if args.json else f"{program_id} is {args.visibility}")
    return 0
