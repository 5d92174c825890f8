"""``runtime-kit run`` as users run it: output, --json, inputs from stdin, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from runtime_kit.harness.limit_errors import MEMORY_FAILURE_MARKS
from tests.conftest import ROOT, run_command

HELLO = ROOT / "examples" / "hello"


def test_text_output_shows_interim_results_result_and_how_to_repeat() -> None:
    result = run_command("run", HELLO, "--seed", "1", "--param", "iterations=2")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split(":")[0] for line in lines] == ["interim #0", "interim #1", "result"]
    assert lines[-1] == 'result: "Ran 2 circuits, 1024 shots in all."'
    assert "DONE in " in result.stderr
    assert result.stderr.rstrip().endswith("on aer_simulator, seed 1")  # it was given
    unseeded = run_command("run", HELLO, "--param", "iterations=1")
    seed = json.loads(run_command("run", HELLO, "--json").stdout)["seed"]
    assert isinstance(seed, int)
    assert unseeded.stderr.rstrip().endswith(")") and "repeats this run" in unseeded.stderr


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
        "input_seeds",
        "statuses",
        "started",
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
    assert json.loads(result.stdout)["result"] == "Ran 1 circuit, 8 shots in all."


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


def test_an_input_main_cannot_take_is_refused_before_running() -> None:
    result = run_command("run", HELLO, "--param", "foo=1")
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == (
        "error: input 'foo': main() has neither such a parameter nor **kwargs to take it"
    )
    assert result.stdout == ""


def test_a_path_that_does_not_exist_is_a_usage_error(tmp_path: Path) -> None:
    result = run_command("run", tmp_path / "nonexistent")
    assert result.returncode == 2
    assert "no such program directory or file" in result.stderr


def _program(directory: Path, source: str, parameters: dict[str, object]) -> Path:
    directory.mkdir()
    (directory / "program.py").write_text(source)
    spec = {"parameters": {"type": "object", "properties": parameters}}
    metadata = {"name": "p", "max_execution_time": 60, "spec": spec}
    (directory / "metadata.json").write_text(json.dumps(metadata))
    return directory


def test_the_footer_says_when_inputs_set_their_own_seed(tmp_path: Path) -> None:
    program = _program(
        tmp_path / "p",
        "def main(backend, user_messenger, seed=None):\n    return seed\n",
        {"seed": {"type": "integer"}},
    )
    seeded = run_command("run", program, "--seed", "3", "--param", "seed=11")
    assert seeded.returncode == 0, seeded.stderr
    assert "seed 3" in seeded.stderr and "repeats this run" not in seeded.stderr
    assert "note: the inputs also set seed=11: where main() uses it, it decides" in (seeded.stderr)
    plain = run_command("run", program)
    assert "note:" not in plain.stderr and "repeats this run" in plain.stderr


def test_a_run_that_never_started_shows_no_seed(tmp_path: Path) -> None:
    program = _program(tmp_path / "p", "def main(backend, user_messenger):\n    return 1\n", {})
    metadata = json.loads((program / "metadata.json").read_text())
    metadata["spec"]["backend_requirements"] = {"min_num_qubits": 50}
    (program / "metadata.json").write_text(json.dumps(metadata))
    result = run_command("run", program, "--backend", "generic-5")
    assert result.returncode == 1
    assert "needs 50" in result.stderr
    footer = result.stderr.strip().splitlines()[-1]
    assert footer.startswith("ERROR in ") and "seed" not in footer


@pytest.mark.parametrize("mebibytes", [100, 200, 300])
def test_a_memory_cap_below_the_libraries_is_one_line(mebibytes: int) -> None:
    """Under a low RLIMIT_AS the import fails at a place that varies with the machine's
    load: a MemoryError in Python (any import, runtime-kit's own too) or a native allocator
    (OpenBLAS) ending the process.  Either way the error is one line, and no traceback."""
    result = run_command("run", HELLO, "--memory", str(mebibytes))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [
        f"error: limit reached: memory ({mebibytes} MiB of address space per process, RLIMIT_AS) "
        "before main() started: importing the program's libraries needs more address space "
        "than that (qiskit and qiskit-aer: 1800 MiB or more; see docs/run.md)"
    ], result.stderr
    shown = result.stderr.split("--- logs ---\n", 1)
    if len(shown) == 2:  # the logs show only what the allocator said
        logs = shown[1].split("\n---\n", 1)[0].splitlines()
        assert all(any(mark in line for mark in MEMORY_FAILURE_MARKS) for line in logs), logs


def test_a_status_never_lands_inside_a_log_line() -> None:
    """A function's logs and statuses come from two threads (CI once printed
    ``status: MAPPING[PUBLIC] INFO: shots 3``): each status gets a line of its own."""
    import io
    import threading

    from runtime_kit.cli.run import LiveOutput

    stream = io.StringIO()
    shown = LiveOutput(stream)
    shown.log("half a line")
    shown.status("MAPPING")
    shown.log(" and its end\n")
    assert stream.getvalue() == "half a line\nstatus: MAPPING\n and its end\n"

    stream = io.StringIO()
    shown = LiveOutput(stream)
    logs = threading.Thread(target=lambda: [shown.log(f"log {n}\n") for n in range(2000)])
    logs.start()
    for n in range(2000):
        shown.status(f"S{n}")
    logs.join(timeout=60)
    lines = stream.getvalue().splitlines()
    expected = [f"log {n}" for n in range(2000)] + [f"status: S{n}" for n in range(2000)]
    assert sorted(lines) == sorted(expected)
