"""``runtime-kit run`` as users run it: output, --json, inputs from stdin, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, run_command

HELLO = ROOT / "examples" / "hello"


def test_text_output_shows_interim_results_result_and_how_to_repeat() -> None:
    result = run_command("run", HELLO, "--seed", "1", "--param", "iterations=2")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split(":")[0] for line in lines] == ["interim #0", "interim #1", "result"]
    assert lines[-1] == 'result: "Ran 2 circuits, 1024 shots in all."'
    assert "DONE in " in result.stderr
    assert "on aer_simulator, seed 1 (--seed 1 repeats this run)" in result.stderr


def test_json_prints_one_record() -> None:
    result = run_command(
        "run", HELLO, "--json", "--seed", "4", "--shots", "100", "--backend", "basic"
    )
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert set(record) == {
        "status",
        "result",
        "interim_results",
        "logs",
        "error",
        "warnings",
        "seed",
        "backend",
        "duration_s",
    }
    assert (record["status"], record["seed"], record["backend"]) == ("DONE", 4, "basic_simulator")
    assert all(sum(m["counts"].values()) == 100 for m in record["interim_results"])


def test_inputs_from_stdin() -> None:
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("runtime-kit")),
            "run",
            str(HELLO),
            "--inputs",
            "-",
            "--json",
        ],
        input='{"iterations": 1, "shots": 8}',
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["result"] == "Ran 1 circuits, 8 shots in all."


def test_failed_program_exits_1_with_its_traceback(tmp_path: Path) -> None:
    program = tmp_path / "p"
    program.mkdir()
    (program / "program.py").write_text(
        "def main(backend, user_messenger):\n    raise ValueError('no luck')\n"
    )
    (program / "metadata.json").write_text(
        '{"name": "p", "description": "d", "max_execution_time": 30}'
    )
    result = run_command("run", program)
    assert result.returncode == 1
    assert "error: ValueError: no luck" in result.stderr
    assert f'File "{program / "program.py"}", line 2, in main' in result.stderr
    as_json = json.loads(run_command("run", program, "--json").stdout)
    assert as_json["status"] == "ERROR"
    assert as_json["error"].startswith("ValueError: no luck\nTraceback")


def test_bad_inputs_exit_2_before_running() -> None:
    result = run_command("run", HELLO, "--param", "iterations=0")
    assert result.returncode == 2
    assert result.stderr.strip() == "error: input 'iterations': 0 is less than the minimum of 1"
    assert result.stdout == ""


def test_program_with_validate_errors_exits_1(tmp_path: Path) -> None:
    result = run_command("run", tmp_path)
    assert result.returncode == 1
    assert "RK003" in result.stderr and "Traceback" not in result.stderr


def test_usage_errors_exit_2() -> None:
    for args in (["--backend", "quantum"], ["--param", "novalue"], ["--shots", "0"]):
        result = run_command("run", HELLO, *args)
        assert result.returncode == 2, args
        assert "error" in result.stderr
