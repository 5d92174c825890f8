"""``runtime-kit tokens create|list|revoke``: manage a service's API tokens (admins)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from runtime_kit.cli.parsers import command_parser
from runtime_kit.errors import ConfigurationError, ServiceError

DEFAULT_URL = "http://127.0.0.1:8080"
EPILOG = f"""The service: --url, else RUNTIME_KIT_URL, else {DEFAULT_URL}. The admin token:
RUNTIME_KIT_TOKEN, else --token-file FILE (e.g. <data-dir>/admin-token).

exit codes: 0 done, 2 usage error, 3 no or a refused token, 4 the service failed."""


def build_parser() -> argparse.ArgumentParser:
    parser = command_parser("tokens", "Manage the API tokens of a runtime-kit service.", EPILOG)
    parser.add_argument("--url", help="the service's URL")
    parser.add_argument("--token-file", type=Path, help="file holding an admin token")
    parser.add_argument("--json", action="store_true", help="print JSON")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    create = commands.add_parser("create", help="create a token (printed once)")
    create.add_argument("--name", required=True)
    create.add_argument("--role", choices=["user", "uploader", "admin"], default="user")
    commands.add_parser("list", help="list tokens (never their secrets)")
    revoke = commands.add_parser("revoke", help="revoke a token by id")
    revoke.add_argument("token_id", metavar="ID")
    return parser


def run(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    url = (args.url or os.environ.get("RUNTIME_KIT_URL") or DEFAULT_URL).rstrip("/")
    headers = {"Authorization": f"Bearer {_token(args.token_file)}"}
    if args.command == "create":
        made = _call("POST", f"{url}/tokens", headers, {"name": args.name, "role": args.role})
        if args.json:
            print(json.dumps(made))
        else:
            print(
                f"created {made['id']} ({made['role']}) for {made['name']}; token:", file=sys.stderr
            )
            print(made["token"])
    elif args.command == "list":
        listed = _call("GET", f"{url}/tokens", headers)["tokens"]
        if args.json:
            print(json.dumps(listed))
        for token in [] if args.json else listed:
            state = "revoked" if token["revoked"] else "active"
            print(
                f"{token['id']}  {token['role']:8}  {state:7}  {token['created']}  {token['name']}"
            )
    else:
        _call("DELETE", f"{url}/tokens/{args.token_id}", headers)
        print(f"revoked {args.token_id}", file=sys.stderr)
    return 0


def _token(token_file: Path | None) -> str:
    token = os.environ.get("RUNTIME_KIT_TOKEN")
    if not token and token_file is not None:
        try:
            token = token_file.read_text().strip()
        except OSError as exc:
            raise ConfigurationError(
                f"{token_file}: cannot read the token ({exc.strerror})"
            ) from exc
    if not token:
        raise ConfigurationError("no token: set RUNTIME_KIT_TOKEN or pass --token-file")
    return token


def _call(method: str, url: str, headers: dict[str, str], body: Any = None) -> Any:
    import httpx

    try:
        response = httpx.request(method, url, headers=headers, json=body, timeout=30)
    except httpx.HTTPError as exc:
        raise ServiceError(f"{method} {url}: {exc}", method=method, url=url) from exc
    if response.status_code >= 400:
        try:
            message = response.json()["error"]["message"]
        except (ValueError, KeyError, TypeError):
            message = response.text[:200]
        raise ServiceError(
            f"{method} {url}: {response.status_code} {message}",
            status=response.status_code,
            method=method,
            url=url,
        )
    return response.json() if response.content else None
