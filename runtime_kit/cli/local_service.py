"""``runtime-kit service status|stop|open``: the per-user local service the client starts."""

from __future__ import annotations

import argparse
import json
import os
import sys

from runtime_kit.cli.parsers import CommandGroup, json_option

EPILOG = "exit codes: 0 done, 2 usage error."


def build_group() -> CommandGroup:
    group = CommandGroup(
        "service",
        "The per-user local service: its status, stop it, open its web view.",
        EPILOG,
        json_option,
    )
    group.add("status", "is it running, where, and where its data is")
    group.add("stop", "stop it (it starts again on next use)")
    opener = group.add(
        "open", "print (and on a desktop open) a one-time sign-in link to its web view"
    )
    opener.add_argument("--no-browser", action="store_true", help="only print the link")
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
    elif args.command == "open":
        url = local.sign_in_url()
        print(json.dumps({"url": url}) if args.json else url)
        if not args.no_browser and _has_desktop():
            import webbrowser

            webbrowser.open(url)
    else:
        stopped = local.stop()
        print(
            json.dumps({"stopped": stopped})
            if args.json
            else ("stopped" if stopped else "not running")
        )
    return 0


def _has_desktop() -> bool:
    """A graphical session to open a browser in (never a text browser in this terminal)."""
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
