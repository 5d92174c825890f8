"""``runtime-kit login``: store a service and its token for this user (mode 0600)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from runtime_kit.cli.parsers import command_parser

EPILOG = """RUNTIME_KIT_URL and RUNTIME_KIT_TOKEN override what is stored (RUNTIME_KIT_CA_FILE the
CA); without either, the client starts and uses a per-user local service (`runtime-kit
service status|stop`). An https service whose certificate a public CA did not sign needs
--ca-file, RUNTIME_KIT_CA_FILE or SSL_CERT_FILE.

exit codes: 0 stored, 2 usage, 3 the token is refused, 4 the service cannot be reached."""


def build_parser() -> argparse.ArgumentParser:
    parser = command_parser("login", "Store the service URL and token for this user.", EPILOG)
    parser.add_argument(
        "--url", required=True, help="the service, e.g. https://runtime.example.org"
    )
    parser.add_argument("--token-stdin", action="store_true", help="read the token from stdin")
    parser.add_argument(
        "--ca-file",
        type=Path,
        metavar="FILE",
        help="the CA certificate(s) to trust for this https service (stored with it)",
    )
    return parser


def run(argv: list[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.token_stdin:
        token = sys.stdin.readline().strip()
    elif sys.stdin.isatty():
        import getpass

        token = getpass.getpass("token: ").strip()
    else:
        parser.error("no terminal to ask for the token: use --token-stdin")
    if not token:
        parser.error("empty token")
    from runtime_kit.client.config import save_login
    from runtime_kit.client.service import RuntimeService

    service = RuntimeService(args.url, token, ca_file=args.ca_file)
    service.programs(limit=1)  # proves URL, token and CA before storing
    path = save_login(args.url, token, args.ca_file)
    print(f"logged in to {args.url} (stored in {path})", file=sys.stderr)
    return 0
