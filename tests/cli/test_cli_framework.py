"""The CLI as a whole: one framework (argparse), group options on either side, help on
everything, the generated reference, shell completion, crash reports, plain output."""

from __future__ import annotations

import argparse
import os
import pty
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from runtime_kit.cli import COMMANDS, load
from runtime_kit.cli.parsers import subcommands
from runtime_kit.cli.reference import cli_reference
from runtime_kit.cli.root import full_parser
from tests.cli.test_entry import imported_modules
from tests.conftest import ROOT, run_command

BIN = Path(sys.executable).parent


def test_one_cli_framework_argparse() -> None:
    """typer and rich are gone: not dependencies, never imported (--help included)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = {dep.split(">")[0].split("=")[0].split("[")[0] for dep in project["dependencies"]}
    assert not names & {"typer", "rich", "click"}
    for args in (["--help"], ["jobs", "--help"], ["validate", "--help"]):
        assert not imported_modules("-m", "runtime_kit", *args) & {"typer", "rich", "click"}


def test_version_and_help_without_a_command() -> None:
    assert run_command("--version").stdout == "runtime-kit 0.1.0\n"
    bare = run_command()
    assert bare.returncode == 0 and "COMMAND" in bare.stdout
    assert run_command("--version", "extra").returncode == 0  # argparse: --version wins


GROUPS = {
    "programs": [["list"], ["show", "p"], ["delete", "p"], ["visibility", "p", "public"]],
    "jobs": [["list"], ["show", "j"], ["result", "j"], ["logs", "j"], ["submit", "p"]],
    "tokens": [["list"], ["create", "--name", "n"], ["revoke", "t"]],
    "service": [["status"], ["stop"]],
}


@pytest.mark.parametrize("group", GROUPS)
def test_group_options_on_either_side_of_the_subcommand(group: str) -> None:
    module = load(group)
    extra = ["--url", "http://x", "--token-file", "f"] if group == "tokens" else []
    for command in GROUPS[group]:
        default = module.build_group().parse(command)
        assert default.json is False
        before = module.build_group().parse(["--json", *extra, *command])
        after = module.build_group().parse([*command, "--json", *extra])
        assert vars(before) == vars(after)
        assert before.json is True and before != default


def test_group_option_after_the_subcommand_in_a_real_process() -> None:
    """`programs list --json` used to be "unrecognized arguments" (exit 2)."""
    listed = run_command(
        "tokens", "list", "--json", "--url", "http://127.0.0.1:9", "--token-file", "/nonexistent"
    )
    assert listed.returncode == 3, listed.stderr  # got past parsing: the token file is missing
    assert "cannot read the token" in listed.stderr


def _walk(name: str, parser: argparse.ArgumentParser):
    yield name, parser
    for sub, subparser in subcommands(parser):
        yield from _walk(f"{name} {sub}", subparser)


def test_every_command_option_and_subcommand_has_help() -> None:
    missing = []
    for name, parser in _walk("runtime-kit", full_parser()):
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                missing += [f"{name} {a.dest}" for a in action._choices_actions if not a.help]
            elif not action.help:
                missing.append(f"{name} {'/'.join(action.option_strings) or action.dest}")
    assert missing == []
    assert {name for name, _ in subcommands(full_parser())} == set(COMMANDS)


def test_docs_cli_md_is_generated_from_help() -> None:
    """Regenerate with `python -m runtime_kit.cli.reference > docs/cli.md`."""
    assert (ROOT / "docs" / "cli.md").read_text() == cli_reference()
    assert "### `runtime-kit jobs submit`" in cli_reference()


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_script_for_each_shell(shell: str) -> None:
    printed = run_command("completion", shell)
    assert printed.returncode == 0, printed.stderr
    assert "runtime-kit" in printed.stdout and "_ARGCOMPLETE" in printed.stdout
    interpreter = shutil.which(shell)
    if interpreter is not None:  # a syntax check where the shell is installed
        checked = subprocess.run(
            [interpreter, "-n"],
            input=printed.stdout,
            text=True,
            capture_output=True,
            timeout=30,
            check=False,
        )
        assert checked.returncode == 0, checked.stderr


BASH_COMPLETE = r"""
source <(runtime-kit completion bash)
fn=$(complete -p runtime-kit | sed -E 's/.*-F ([^ ]+).*/\1/')
COMP_LINE="$1"; COMP_POINT=${#COMP_LINE}; read -ra COMP_WORDS <<< "$COMP_LINE"
[[ "$COMP_LINE" == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); COMP_TYPE=9
"$fn" runtime-kit "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}"
"""


def bash_completions(line: str) -> list[str]:
    """What bash offers for ``line`` with the installed completion script (real bash)."""
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(
        ["bash", "-c", BASH_COMPLETE, "complete", line],
        capture_output=True, text=True, timeout=60, env=env, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return [word.strip() for word in done.stdout.splitlines() if word.strip()]


@pytest.mark.parametrize(
    ("line", "offered"),
    [
        ("runtime-kit jo", ["jobs"]),
        ("runtime-kit jobs ", ["submit", "list", "show", "result", "logs", "cancel"]),
        ("runtime-kit programs list --", ["--json", "--limit"]),
        ("runtime-kit new --template ", ["hello", "circuit-runner", "estimator", "package"]),
        ("runtime-kit run . --backend ", ["aer_simulator", "basic_simulator", "generic-5"]),
        ("runtime-kit jobs submit p --backend gen", ["generic-5"]),
        ("runtime-kit completion ", ["bash", "zsh", "fish"]),
    ],
)
def test_bash_completes_commands_options_templates_and_backends(
    line: str, offered: list[str]
) -> None:
    assert set(offered) <= set(bash_completions(line))


def test_an_unexpected_error_is_one_line_and_a_crash_report(tmp_path: Path) -> None:
    """A bug (anything outside the RuntimeKitError tree) exits 70 with the report's path."""
    code = (
        "import sys; from runtime_kit.cli.boundary import run_with_boundary\n"
        "def bug(): raise OSError(5, 'disk on fire')\n"
        "run_with_boundary(bug, ['build', 'here'])\n"
    )
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state")}
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 70
    first, second = done.stderr.splitlines()
    assert first == "error: internal error: OSError: [Errno 5] disk on fire"
    report = Path(second.split(" is in ")[1].split(";")[0])
    assert report.parent == tmp_path / "state" / "runtime-kit" / "crash"
    text = report.read_text()
    assert "command line: -c build here" in text
    assert "runtime-kit: 0.1.0" in text and "qiskit: " in text and "python: 3." in text
    assert "Traceback (most recent call last)" in text and "disk on fire" in text


def _stderr_on_a_terminal(*args: str, env: dict[str, str]) -> tuple[int, str]:
    """Run runtime-kit with stderr on a pseudo-terminal (stdout a pipe); its exit code and
    what the terminal showed."""
    leader, follower = pty.openpty()
    with subprocess.Popen(
        [str(BIN / "runtime-kit"), *args], stdout=subprocess.PIPE, stderr=follower, env=env
    ) as process:
        os.close(follower)
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal's other end closed: the process is done
                break
            if not chunk:
                break
            shown += chunk
        os.close(leader)
        process.communicate(timeout=300)
    return process.returncode, shown.decode()


def test_progress_only_on_a_terminal_and_output_plain(tmp_path: Path) -> None:
    """Building a wheel is a long step: announced on a terminal, silent in a pipe; with
    NO_COLOR or not, nothing is coloured."""
    program = ROOT / "examples" / "parity-scan"
    env = {**os.environ, "NO_COLOR": "1"}
    code, shown = _stderr_on_a_terminal("build", str(program), "--list", env=env)
    assert code == 0, shown
    assert "building the wheel of" in shown and "\x1b" not in shown
    piped = run_command("build", program, "--list")
    assert piped.returncode == 0
    assert "building the wheel" not in piped.stderr
    assert "\x1b" not in piped.stdout + piped.stderr


def test_validate_says_what_it_checked_on_a_terminal() -> None:
    code, shown = _stderr_on_a_terminal(
        "validate", str(ROOT / "examples" / "hello"), env=dict(os.environ)
    )
    assert code == 0
    assert "ok: 1 program checked (metadata, declared schemas, main() and its parameters" in shown
    assert run_command("validate", ROOT / "examples" / "hello").stderr == ""  # a pipe: quiet
