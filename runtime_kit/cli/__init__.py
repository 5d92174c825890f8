"""The ``runtime-kit`` command: parse, call the library, print.  Never imports qiskit itself."""

from __future__ import annotations

from typing import Annotated

import typer

from runtime_kit import __version__
from runtime_kit.cli.boundary import run_with_boundary

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


def main() -> None:
    """Console-script entry point."""
    run_with_boundary(app)
