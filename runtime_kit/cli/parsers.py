"""The argparse shapes of the commands: each command builds its own parser, so a command
starts by importing only itself (see ``runtime_kit.cli``)."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from pathlib import Path


def command_parser(
    command: str,
    description: str,
    epilog: str,
    parents: list[argparse.ArgumentParser] | None = None,
) -> argparse.ArgumentParser:
    """The parser of ``runtime-kit <command>``; ``epilog`` keeps its line breaks."""
    return argparse.ArgumentParser(
        prog=f"runtime-kit {command}",
        description=description,
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=parents or [],
    )


class CommandGroup:
    """``runtime-kit <group> [OPTIONS] COMMAND [OPTIONS]`` whose group options (``--json``,
    ``--url``...) are accepted on either side of the subcommand.

    ``shared`` adds the group options to a parser; they are added to the group's parser and
    to every subcommand's, with no default there (so a later mention does not undo an earlier
    one), and their defaults are filled in by ``parse``.
    """

    def __init__(
        self,
        command: str,
        description: str,
        epilog: str,
        shared: Callable[[argparse.ArgumentParser], None],
    ) -> None:
        self._shared = argparse.ArgumentParser(add_help=False, argument_default=argparse.SUPPRESS)
        shared(self._shared)
        with_defaults = argparse.ArgumentParser(add_help=False)
        shared(with_defaults)
        self._defaults = vars(with_defaults.parse_args([]))
        self.parser = command_parser(command, description, epilog, parents=[self._shared])
        self._commands = self.parser.add_subparsers(
            dest="command", required=True, metavar="COMMAND"
        )

    def add(
        self, name: str, summary: str, description: str | None = None
    ) -> argparse.ArgumentParser:
        """A subcommand; ``summary`` is its line in the group's help."""
        return self._commands.add_parser(
            name,
            help=summary,
            description=description or summary[:1].upper() + summary[1:] + ".",
            parents=[self._shared],
        )

    def parse(self, argv: list[str]) -> argparse.Namespace:
        args = self.parser.parse_args(argv)
        for key, value in self._defaults.items():
            if not hasattr(args, key):
                setattr(args, key, value)
        return args


def subcommands(parser: argparse.ArgumentParser) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    """The (name, parser) of each subcommand of ``parser``, in order."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            yield from action.choices.items()


def json_option(parser: argparse.ArgumentParser) -> None:
    """The ``--json`` option every command has."""
    parser.add_argument(
        "--json", action="store_true", help="print JSON on stdout (messages stay on stderr)"
    )


def backend_option(parser: argparse.ArgumentParser) -> None:
    """The ``--backend`` option of ``run`` and ``jobs submit`` (one set of names)."""
    from runtime_kit.cli.completion import complete_backends

    backend = parser.add_argument(
        "--backend",
        default="aer_simulator",
        help="aer_simulator (default), basic_simulator, generic-N (a generic N-qubit device), "
        "noisy-N (N qubits, readout errors only), or an IBM device snapshot by name "
        "(ibmq_montreal, ibm_sherbrooke: runtime-kit backends list); aliases: aer, basic, "
        "generic:N, noisy:N, fake_<device>",
    )
    backend.completer = complete_backends  # type: ignore[attr-defined]


def backend_provider_option(parser: argparse.ArgumentParser) -> None:
    """``--backend-provider NAME`` (repeatable): providers asked for backend names first."""
    parser.add_argument(
        "--backend-provider",
        action="append",
        default=[],
        dest="backend_providers",
        metavar="NAME",
        help="also offer the backends of this provider, asked first (repeatable; built in: "
        "simulators, snapshots, ibm-quantum; plug-ins: the entry point group "
        "runtime_kit.backend_providers)",
    )
    parser.add_argument(
        "--ibm-quantum-credentials",
        type=Path,
        metavar="FILE",
        help="the IBM Quantum account of --backend-provider ibm-quantum: a TOML (or .json) "
        "file of token, instance, channel, url (default: RUNTIME_KIT_IBM_QUANTUM_TOKEN, ...)",
    )


def paths_parser(
    command: str, description: str, epilog: str, paths_help: str
) -> argparse.ArgumentParser:
    """A parser for ``runtime-kit <command> [PATH...]``; PATH defaults to the current folder."""
    parser = command_parser(command, description, epilog)
    parser.add_argument(
        "paths",
        nargs="*",
        type=Path,
        default=[Path(".")],
        metavar="PATH",
        help=f"{paths_help} (default: .)",
    )
    return parser


def port(text: str) -> int:
    """argparse type: a TCP port, 0-65535 (0: any free one)."""
    value = int(text) if text.isdigit() else -1
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port 0-65535, got {text!r}")
    return value


def positive_float(text: str) -> float:
    """argparse type: a number of seconds > 0."""
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:  # also refuses nan
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def positive_int(text: str) -> int:
    """argparse type: an integer >= 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value
