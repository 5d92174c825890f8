"""``runtime-kit completion bash|zsh|fish``: the shell's completion script.

The script (from ``argcomplete``) asks ``runtime-kit`` itself for completions: the shell runs
it with ``_ARGCOMPLETE`` set, and ``complete()`` answers from the whole command tree —
commands, options, choices, template names and backends — then exits.  Nothing of this is
imported when a command runs.
"""

from __future__ import annotations

import argparse

from runtime_kit.cli.parsers import command_parser

SHELLS = ("bash", "zsh", "fish")
EPILOG = """install (or eval the output in the shell's start-up file):
  bash  runtime-kit completion bash > ~/.local/share/bash-completion/completions/runtime-kit
  zsh   runtime-kit completion zsh > ~/.zfunc/_runtime-kit   (a folder in $fpath)
  fish  runtime-kit completion fish > ~/.config/fish/completions/runtime-kit.fish

exit codes: 0 printed, 2 usage error."""


def build_parser() -> argparse.ArgumentParser:
    parser = command_parser(
        "completion", "Print the completion script of runtime-kit for a shell.", EPILOG
    )
    parser.add_argument("shell", choices=SHELLS, metavar="SHELL", help="bash, zsh or fish")
    return parser


def run(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    import argcomplete

    print(argcomplete.shellcode(["runtime-kit"], shell=args.shell), end="")  # type: ignore[attr-defined]
    return 0


def complete() -> None:
    """Answer the shell's completion request (argcomplete's protocol) and exit."""
    import argcomplete

    from runtime_kit.cli.root import full_parser

    argcomplete.autocomplete(full_parser())


def complete_templates(**_: object) -> list[str]:
    """``new --template``: the bundled templates."""
    from runtime_kit.scaffold import bundled_templates

    return [template.name for template in bundled_templates()]


def complete_backends(**_: object) -> list[str]:
    """``--backend``: the simulators, by their names and a few generic devices, and the
    device snapshots."""
    from runtime_kit.backends.simulators import ALIASES
    from runtime_kit.backends.snapshots.table import SNAPSHOTS

    simulators = ["aer_simulator", "basic_simulator", "generic-5", "noisy-5", "generic-27"]
    return [*simulators, *ALIASES, *(snapshot.name for snapshot in SNAPSHOTS)]
