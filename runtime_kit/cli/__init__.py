"""The ``runtime-kit`` command.

Every command has an argparse parser of its own and is dispatched from here, before the
typer app is imported: that app only answers ``--help`` and ``--version``.  So a command's
start-up is the interpreter's and its own imports (``validate`` runs on every commit).
"""

from __future__ import annotations

import sys

#: command -> (module with ``run(argv) -> int``, the line ``--help`` shows for it)
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
        "Status of, or stop, the per-user local service.",
    ),
    "serve": (
        "runtime_kit.cli.serve",
        "Serve the runtime API (programs, jobs, websocket streams).",
    ),
    "tokens": (
        "runtime_kit.cli.tokens",
        "Create, list and revoke API tokens of a service (admins).",
    ),
}
#: Commands that end without interpreter teardown: freeing every parsed program costs
#: ``validate`` more than the pre-commit hook's whole check of one; it holds no files or locks.
NO_TEARDOWN = {"validate"}


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    from runtime_kit.cli.boundary import run_with_boundary

    args = sys.argv[1:] if argv is None else argv
    if args and args[0] in COMMANDS:
        command = load(args[0])
        finish = _exit_now if args[0] in NO_TEARDOWN else sys.exit
        run_with_boundary(lambda: finish(command.run(args[1:])))
        return
    from runtime_kit.cli.app import app

    run_with_boundary(app)


def load(name: str):
    import importlib

    return importlib.import_module(COMMANDS[name][0])


def _exit_now(code: int) -> None:
    import contextlib
    import os

    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing to add
            stream.flush()
    os._exit(code)
