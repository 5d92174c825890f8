"""``runtime-kit serve``: run the runtime service (API + workers) until interrupted."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from runtime_kit.cli.parsers import command_parser
from runtime_kit.service.settings import ENV_PREFIX, SETTINGS, load_settings

EPILOG = f"""Every setting can also come from the environment ({ENV_PREFIX}<NAME>, e.g.
{ENV_PREFIX}MEMORY_MIB) or from the TOML file of --config (key = NAME in lower case, e.g.
memory_mib = 2048); a flag wins over the environment, which wins over the file.
Settings and what each layer of isolation stops: docs/serve.md, docs/security.md.

The admin token: RUNTIME_KIT_ADMIN_TOKEN (read once, then removed from the environment),
else <data-dir>/admin-token (made on first start, mode 0600); one you give must have at
least 20 characters and about 64 bits of entropy. Give others tokens with
`runtime-kit tokens create`.

exit codes: 0 stopped cleanly, 2 usage error (or --executor ray without Ray installed), 3 a
setting, the port, the data directory, the sandbox or the Ray token is unusable, 4 the Ray
cluster cannot be reached or has no room."""


def build_parser() -> argparse.ArgumentParser:
    parser = command_parser(
        "serve",
        "Serve the legacy runtime REST + websocket API, running each job isolated in a warm "
        "worker process.",
        EPILOG,
    )
    parser.add_argument("--config", type=Path, metavar="FILE", help="a TOML file of settings")
    for setting in SETTINGS:
        if setting.const is not None:
            parser.add_argument(
                setting.flag, dest=setting.name, action="store_const", const=setting.const,
                help=setting.help,
            )  # fmt: skip
            continue
        parser.add_argument(
            setting.flag,
            dest=setting.name,
            type=_argparse_type(setting.parse),
            metavar=setting.metavar,
            choices=setting.choices,
            help=setting.help,
        )
    return parser


def _argparse_type(parse: Callable[[str], Any]) -> Callable[[str], Any]:
    def convert(text: str) -> Any:
        try:
            return parse(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from exc

    convert.__name__ = getattr(parse, "__name__", "value")
    return convert


def run(argv: list[str]) -> int:
    args = vars(build_parser().parse_args(argv))
    from runtime_kit.service.server import serve

    config = args.pop("config")
    settings = load_settings(args, config=config)
    return serve(settings, announce=lambda text: print(text, file=sys.stderr, flush=True))
