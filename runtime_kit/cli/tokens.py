"""``runtime-kit tokens create|list|revoke``: manage a service's API tokens (admins)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from runtime_kit.cli.parsers import CommandGroup, json_option
from runtime_kit.errors import ConfigurationError

EPILOG = """The service and token as for every command: --url and --token-file, else
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
        "tokens", "Manage the API tokens of a runtime-kit service.", EPILOG, _group_options
    )
    create = group.add("create", "create a token (its secret is printed once)")
    create.add_argument("--name", required=True, help="who or what the token is for")
    create.add_argument(
        "--role",
        choices=["user", "uploader", "admin"],
        default="user",
        help="user: run programs; uploader: also publish; admin: also manage tokens "
        "(default: user)",
    )
    create.add_argument(
        "--instance",
        action="append",
        default=[],
        metavar="HUB/GROUP/PROJECT",
        help="grant an instance (repeatable; it must exist: `runtime-kit instances create`); "
        "every token also has the instances open to all (ibm-q/open/main on a new service)",
    )
    group.add("list", "list tokens (never their secrets)")
    revoke = group.add("revoke", "revoke a token by id")
    revoke.add_argument("token_id", metavar="ID", help="as `tokens list` shows it")
    return group


def build_parser() -> argparse.ArgumentParser:
    return build_group().parser


def run(argv: list[str]) -> int:
    args = build_group().parse(argv)
    from runtime_kit.client.config import connect

    http, _ = connect(args.url, token_from(args.token_file))
    if args.command == "create":
        body = {"name": args.name, "role": args.role, "instances": args.instance}
        made = http.json("POST", "/tokens", json_body=body)
        if args.json:
            print(json.dumps(made))
        else:
            print(
                f"created {made['id']} ({made['role']}) for {made['name']}, instances "
                f"{', '.join(made['instances']) or 'none'}; token:",
                file=sys.stderr,
            )
            print(made["token"])
    elif args.command == "list":
        listed = http.json("GET", "/tokens")["tokens"]
        if args.json:
            print(json.dumps(listed))
        for token in [] if args.json else listed:
            state = "revoked" if token["revoked"] else "active"
            granted = ",".join(token.get("instances", [])) or "-"
            print(
                f"{token['id']}  {token['role']:8}  {state:7}  {token['created']}  "
                f"{token['name']}  {granted}"
            )
    else:
        http.request("DELETE", f"/tokens/{args.token_id}")
        if args.json:
            print(json.dumps({"revoked": args.token_id}))
        else:
            print(f"revoked {args.token_id}", file=sys.stderr)
    return 0


def token_from(token_file: Path | None) -> str | None:
    if token_file is None:
        return None
    try:
        return token_file.read_text().strip() or None
    except OSError as exc:
        raise ConfigurationError(f"{token_file}: cannot read the token ({exc.strerror})") from exc
