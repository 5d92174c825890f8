"""``runtime-kit serve``: run the runtime service (API + workers) until interrupted."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from runtime_kit.cli.parsers import command_parser, port, positive_int

EPILOG = """The admin token: RUNTIME_KIT_ADMIN_TOKEN, else <data-dir>/admin-token (made on first
start, mode 0600). Give others tokens with `runtime-kit tokens create`.

exit codes: 0 stopped cleanly, 2 usage error, 3 the port or data directory is unusable."""


def build_parser() -> argparse.ArgumentParser:
    parser = command_parser(
        "serve",
        "Serve the legacy runtime REST + websocket API, running jobs in warm worker processes.",
        EPILOG,
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=port, default=8080, help="port (default 8080)")
    parser.add_argument("--data-dir", type=Path, help="state directory (default: user data dir)")
    parser.add_argument("--workers", type=positive_int, default=2, help="jobs run at once")
    parser.add_argument(
        "--sandbox", choices=["none", "bwrap"], default="none", help="isolate each job (bwrap)"
    )
    parser.add_argument(
        "--max-execution-time",
        type=positive_int,
        default=3 * 3600,
        metavar="S",
        help="cap on any job's wall clock (default 3 h)",
    )
    parser.add_argument(
        "--memory", type=positive_int, default=4096, metavar="MIB", help="memory limit per job"
    )
    return parser


def run(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    from runtime_kit.service.server import default_data_dir, serve

    data_dir = args.data_dir or default_data_dir()
    return serve(
        data_dir,
        host=args.host,
        port=args.port,
        workers=args.workers,
        sandbox=args.sandbox,
        max_execution_time=args.max_execution_time,
        memory_mib=args.memory,
        announce=lambda text: print(text, file=sys.stderr, flush=True),
    )
