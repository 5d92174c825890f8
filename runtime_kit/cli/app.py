"""The typer app: every command, for dispatch and for ``--help``.  Never imports qiskit."""

from __future__ import annotations

from typing import Annotated

import typer

from runtime_kit import __version__
from runtime_kit.cli import COMMANDS

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
        from runtime_kit.cli import load

        raise typer.Exit(load(name).run(list(ctx.args)))


for _name, (_, _summary) in COMMANDS.items():
    _fast_command(_name, _summary)
