"""The ``runtime-kit`` command: argparse everywhere, no other CLI framework.

Each command has a parser of its own in its own module and is dispatched from here, so a
command's start-up is the interpreter's and its own imports (``validate`` runs on every
commit: typer and rich alone cost more to import than its whole run, so neither is used).
``--help``, ``--version`` and unknown commands are answered by ``runtime_kit.cli.root``.
"""

from __future__ import annotations

import os
import sys
import types
from collections.abc import Callable

#: command -> (module with ``build_parser()`` and ``run(argv) -> int``, its line in --help)
COMMANDS = {
    "new": ("runtime_kit.cli.new", "Create a program project from a template."),
    "update": (
        "runtime_kit.cli.update",
        "Merge the current version of its template into a project.",
    ),
    "validate": (
        "runtime_kit.cli.validate",
        "Check program metadata and source (fast; also a pre-commit hook).",
    ),
    "migrate": ("runtime_kit.cli.migrate", "Rewrite v1 metadata as v2."),
    "run": (
        "runtime_kit.cli.run",
        "Run a program locally on a simulator, showing its interim results.",
    ),
    "backends": (
        "runtime_kit.cli.backends",
        "List the backends programs run on (simulators, device snapshots); show one.",
    ),
    "build": ("runtime_kit.cli.build", "Bundle a program reproducibly (zip with a manifest)."),
    "publish": (
        "runtime_kit.cli.publish",
        "Validate, bundle and upload a program (create or update).",
    ),
    "programs": ("runtime_kit.cli.programs", "List, show, delete programs; set their visibility."),
    "jobs": ("runtime_kit.cli.jobs", "Submit jobs; follow, inspect, cancel or delete them."),
    "login": ("runtime_kit.cli.login", "Store a service URL and token for this user."),
    "service": (
        "runtime_kit.cli.local_service",
        "The per-user local service: its status, stop it, open its web view.",
    ),
    "serve": (
        "runtime_kit.cli.serve",
        "Serve the runtime API (programs, jobs, websocket streams).",
    ),
    "tokens": (
        "runtime_kit.cli.tokens",
        "Create, list and revoke API tokens of a service (admins).",
    ),
    "instances": (
        "runtime_kit.cli.instances",
        "Create, list and delete the hub/group/project instances of a service (admins).",
    ),
    "completion": (
        "runtime_kit.cli.completion",
        "Print the shell completion script for bash, zsh or fish.",
    ),
}
#: Commands that end without interpreter teardown: freeing every parsed program costs
#: ``validate`` more than the pre-commit hook's whole check of one; it holds no files or locks.
NO_TEARDOWN = {"validate"}


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    from runtime_kit.cli.boundary import run_with_boundary

    args = sys.argv[1:] if argv is None else argv
    if "_ARGCOMPLETE" in os.environ:  # the shell asks for completions (see cli.completion)
        from runtime_kit.cli.completion import complete

        complete()
    if args and args[0] in COMMANDS:
        command: Callable[[list[str]], int] = load(args[0]).run
        finish: Callable[[int], object] = sys.exit
        if args[0] in NO_TEARDOWN:
            finish = _exit_now
        run_with_boundary(lambda: finish(command(args[1:])), args)
        return
    from runtime_kit.cli import root

    run_with_boundary(lambda: sys.exit(root.run(args)), args)


def load(name: str) -> types.ModuleType:
    import importlib

    return importlib.import_module(COMMANDS[name][0])


def _exit_now(code: int) -> None:
    import contextlib

    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing to add
            stream.flush()
    os._exit(code)
