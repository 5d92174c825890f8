"""The typer app: every command, for dispatch and for ``--help``.  Never imports qiskit."""

from __future__ import annotations

from typing import Annotated

import typer

from runtime_kit import __version__

app = typer.Typer(
    name="runtime-kit",
    help="Write, test, publish and serve Qiskit Runtime programs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"runtime-kit {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Print the version and exit.", callback=_print_version, is_eager=True
        ),
    ] = False,
) -> None:
    """Write, test, publish and serve Qiskit Runtime programs."""


def _fast_command(name: str, summary: str) -> None:
    """List a fast command (see runtime_kit.cli) in --help; its own parser does the rest."""

    @app.command(
        name,
        help=summary,
        add_help_option=False,
        context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    )
    def forward(ctx: typer.Context) -> None:
        import importlib

        from runtime_kit.cli import FAST_COMMANDS

        raise typer.Exit(importlib.import_module(FAST_COMMANDS[name]).run(list(ctx.args)))


_fast_command("new", "Create a program project from a template.")
_fast_command("validate", "Check program metadata and source (fast; also a pre-commit hook).")
_fast_command("migrate", "Rewrite v1 metadata as v2.")
_fast_command("run", "Run a program locally on a simulator, showing its interim results.")
_fast_command("serve", "Serve the runtime API (programs, jobs, websocket streams).")
_fast_command("tokens", "Create, list and revoke API tokens of a service (admins).")
_fast_command("build", "Bundle a program reproducibly (zip with a manifest).")
_fast_command("publish", "Validate, bundle and upload a program (create or update).")
_fast_command("programs", "List, show, delete programs; set their visibility.")
_fast_command("jobs", "Submit jobs; follow, inspect, cancel or delete them.")
_fast_command("login", "Store a service URL and token for this user.")
_fast_command("service", "Status of, or stop, the per-user local service.")
