"""``runtime-kit service status|stop``: the per-user local service the client starts."""

from __future__ import annotations

import argparse
import json

from runtime_kit.cli.parsers import CommandGroup, json_option

EPILOG = "exit codes: 0 done, 2 usage error."


def build_group() -> CommandGroup:
    group = CommandGroup(
        "service", "Status of, or stop, the per-user local service.", EPILOG, json_option
    )
    group.add("status", "is it running, where, and where its data is")
    group.add("stop", "stop it (it starts again on next use)")
    return group


def build_parser() -> argparse.ArgumentParser:
    return build_group().parser


def run(argv: list[str]) -> int:
    args = build_group().parse(argv)
    from runtime_kit.client import local

    if args.command == "status":
        state = local.status()
        if args.json:
            print(json.dumps({"running": state is not None, **(state or {})}))
        elif state is None:
            print(f"not running (data: {local.local_dir()})")
        else:
            print(f"running at {state['url']} (pid {state['pid']}, data {state['data_dir']})")
    else:
        stopped = local.stop()
        print(
            json.dumps({"stopped": stopped})
            if args.json
            else ("stopped" if stopped else "not running")
        )
    return 0
