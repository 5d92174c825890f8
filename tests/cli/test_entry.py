"""``runtime-kit --version`` / ``--help``, and what importing costs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import runtime_kit

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("qiskit", "qiskit_aer", "qiskit_ibm_runtime", "numpy", "scipy", "jsonschema")


def imported_modules(*args: str) -> set[str]:
    """Top-level modules a fresh interpreter imports, from ``python -X importtime``."""
    completed = subprocess.run(
        [sys.executable, "-X", "importtime", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    names = set()
    for line in completed.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    return names


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "runtime_kit", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_version() -> None:
    completed = run_cli("--version")
    assert completed.returncode == 0
    assert completed.stdout.strip() == f"runtime-kit {runtime_kit.__version__}"


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).parent / "runtime-kit"
    completed = subprocess.run(
        [str(script), "--version"], capture_output=True, text=True, timeout=120, check=False
    )
    assert completed.returncode == 0, completed.stderr


def test_help() -> None:
    completed = run_cli("--help")
    assert completed.returncode == 0
    assert "Qiskit Runtime programs" in completed.stdout


def test_unknown_command_is_a_usage_error() -> None:
    completed = run_cli("no-such-command")
    assert completed.returncode == 2
    assert "no such command 'no-such-command'" in completed.stderr


@pytest.mark.parametrize(
    "args",
    [["--help"], ["--version"], ["run", "--help"], ["backends", "list"],
     ["backends", "show", "ibm_sherbrooke"]],
)  # fmt: skip
def test_cli_does_not_import_qiskit(args: list[str]) -> None:
    modules = imported_modules("-m", "runtime_kit", *args)
    assert "runtime_kit" in modules  # the measurement itself works
    assert not modules & set(HEAVY)


def test_import_runtime_kit_is_light() -> None:
    modules = imported_modules("-c", "import runtime_kit, runtime_kit.serialization")
    assert "runtime_kit" in modules
    assert not modules & set(HEAVY)


def test_encoding_plain_data_stays_light() -> None:
    code = (
        "import json, datetime; from runtime_kit import RuntimeEncoder, RuntimeDecoder;"
        "t = json.dumps({'a': 1j, 'b': {1, 2}, 'c': datetime.date.today()}, cls=RuntimeEncoder);"
        "json.loads(t, cls=RuntimeDecoder)"
    )
    assert not imported_modules("-c", code) & set(HEAVY)


def test_public_api_matches_the_docs() -> None:
    documented = set()
    for line in (ROOT / "docs" / "api.md").read_text().splitlines():
        if line.startswith("| `") and not line.startswith("| `runtime_kit"):
            documented.add(line.split("`")[1])
    assert documented == set(runtime_kit.__all__) - {"__version__"}
    for name in runtime_kit.__all__:
        assert getattr(runtime_kit, name) is not None
    assert set(runtime_kit.__all__) - {"__version__"} == set(runtime_kit._EXPORTS)
