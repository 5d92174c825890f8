"""``runtime-kit instances create|list|delete``: a service's hub/group/project instances
(admins)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from runtime_kit.cli.parsers import CommandGroup, json_option

EPILOG = """An instance is HUB/GROUP/PROJECT, as IBM Quantum had them: tokens are granted
instances when they are made (`runtime-kit tokens create --instance HUB/GROUP/PROJECT`), and
a job runs under one of its token's instances.  An instance created --open-to-all is every
token's; a new service has one, ibm-q/open/main.

The service and token as for every command: --url and --token-file, else
RUNTIME_KIT_URL and RUNTIME_KIT_TOKEN, else `runtime-kit login`, else the local service.
The token must be an admin's (e.g. <data-dir>/admin-token of `runtime-kit serve`).

exit codes: 0 done, 2 usage error, 3 no or a refused token, 4 the service failed."""


def _group_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--url", help="the service's URL (default: as for every command)")
    parser.add_argument(
        "--token-file", type=Path, metavar="FILE", help="file holding an admin token"
    )
    json_option(parser)


def build_group() -> CommandGroup:
    group = CommandGroup(
        "instances",
        "Manage the hub/group/project instances of a runtime-kit service.",
        EPILOG,
        _group_options,
    )
    create = group.add("create", "create an instance")
    create.add_argument("instance", metavar="HUB/GROUP/PROJECT", help="the instance to create")
    create.add_argument(
        "--open-to-all", action="store_true", help="every token has it (no grant needed)"
    )
    group.add("list", "list instances, with how many tokens each is granted")
    delete = group.add(
        "delete", "delete an instance and its grants (jobs keep the instance they ran under)"
    )
    delete.add_argument("instance", metavar="HUB/GROUP/PROJECT", help="the instance to delete")
    return group


def build_parser() -> argparse.ArgumentParser:
    return build_group().parser


def run(argv: list[str]) -> int:
    args = build_group().parse(argv)
    from runtime_kit.cli.tokens import token_from
    from runtime_kit.client.config import connect

    http, _ = connect(args.url, token_from(args.token_file))
    if args.command == "create":
        body = {"instance": args.instance, "open_to_all": args.open_to_all}
        made = http.json("POST", "/instances", json_body=body)
        _say(args.json, made, f"created {made['instance']}" + (" (open to all)" * args.open_to_all))
    elif args.command == "list":
        listed = http.json("GET", "/instances")["instances"]
        if args.json:
            print(json.dumps(listed))
        for instance in [] if args.json else listed:
            granted = "open to all" if instance["open"] else f"{instance['tokens']} token(s)"
            print(f"{instance['instance']}  {instance['created']}  {granted}")
    else:
        http.request("DELETE", f"/instances/{_path_of(args.instance)}")
        _say(args.json, {"deleted": args.instance}, f"deleted {args.instance}")
    return 0


def _path_of(instance: str) -> str:
    """``HUB/GROUP/PROJECT`` as three quoted path segments."""
    from urllib.parse import quote

    from runtime_kit.errors import InputValueError

    parts = instance.split("/")
    if len(parts) != 3 or not all(parts):
        raise InputValueError(f"an instance is HUB/GROUP/PROJECT: {instance!r}")
    return "/".join(quote(part, safe="") for part in parts)


def _say(as_json: bool, data: dict[str, object], message: str) -> None:
    if as_json:
        print(json.dumps(data))
    else:
        print(message, file=sys.stderr)
