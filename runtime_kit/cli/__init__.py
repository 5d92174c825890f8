"""The ``runtime-kit`` command.

``validate`` and ``migrate`` run on every commit (pre-commit), so they are dispatched before
the typer app is even imported: their start-up is the interpreter's and little more.
"""

from __future__ import annotations

import sys

FAST_COMMANDS = {
    "validate": "runtime_kit.cli.validate",
    "migrate": "runtime_kit.cli.migrate",
    "run": "runtime_kit.cli.run",
    "new": "runtime_kit.cli.new",
    "serve": "runtime_kit.cli.serve",
    "tokens": "runtime_kit.cli.tokens",
    "build": "runtime_kit.cli.build",
    "publish": "runtime_kit.cli.publish",
    "programs": "runtime_kit.cli.programs",
    "jobs": "runtime_kit.cli.jobs",
    "login": "runtime_kit.cli.login",
    "service": "runtime_kit.cli.local_service",
}


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] in FAST_COMMANDS:
        import importlib

        from runtime_kit.cli.boundary import run_with_boundary

        command = importlib.import_module(FAST_COMMANDS[args[0]])
        if args[0] == "validate":
            run_with_boundary(lambda: _exit_now(command.run(args[1:])))
        run_with_boundary(lambda: sys.exit(command.run(args[1:])))
        return
    from runtime_kit.cli.app import app
    from runtime_kit.cli.boundary import run_with_boundary

    run_with_boundary(app)


def _exit_now(code: int) -> None:
    """End ``validate`` without interpreter teardown (freeing every parsed program costs
    more than the pre-commit hook's whole check of one); it holds no files or locks."""
    import contextlib
    import os

    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing to add
            stream.flush()
    os._exit(code)
