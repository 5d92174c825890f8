"""The harness with real child processes: results, limits, crashes, bad inputs, legacy code."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from runtime_kit import InputValueError, ProgramRejectedError
from runtime_kit.harness.record import CANCELLED, DONE, ERROR
from runtime_kit.harness.runner import run_program
from tests.conftest import ROOT

HELLO = ROOT / "examples" / "hello"


def make_program(
    directory: Path,
    source: str,
    *,
    parameters: dict[str, Any] | None = None,
    required: list[str] | None = None,
    spec: dict[str, Any] | None = None,
    max_execution_time: int = 60,
    inputs: dict[str, Any] | None = None,
) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "program.py").write_text(textwrap.dedent(source))
    metadata: dict[str, Any] = {
        "name": "test-program",
        "description": "A program made by a test.",
        "max_execution_time": max_execution_time,
        "spec": {
            "parameters": {
                "type": "object",
                "properties": parameters or {},
                "required": required or [],
            },
            **(spec or {}),
        },
    }
    (directory / "metadata.json").write_text(json.dumps(metadata, indent=2))
    if inputs is not None:
        (directory / "inputs").mkdir(exist_ok=True)
        (directory / "inputs" / "example.json").write_text(json.dumps(inputs))
    return directory


def test_hello_runs_with_live_interim_results_and_a_recorded_seed() -> None:
    seen: list[tuple[int, str]] = []
    record = run_program(HELLO, seed=7, on_interim=lambda i, text: seen.append((i, text)))
    assert record.status == DONE, record.error
    assert record.result == "Ran 3 circuits, 1536 shots in all."
    assert [i for i, _ in seen] == [0, 1, 2]
    assert record.interim_results[0]["iteration"] == 0
    assert sum(record.interim_results[0]["counts"].values()) == 512
    assert (record.seed, record.backend, record.warnings) == (7, "aer_simulator", [])


def test_same_seed_same_run_and_unseeded_runs_record_their_seed(tmp_path: Path) -> None:
    program = make_program(
        tmp_path / "p",
        """
        from qiskit import QuantumCircuit, transpile
        from qiskit.circuit.library import efficient_su2

        def main(backend, user_messenger):
            circuit = efficient_su2(3, reps=1)
            circuit.assign_parameters([0.3] * circuit.num_parameters, inplace=True)
            circuit.measure_all()
            compiled = transpile(circuit, backend, optimization_level=3)
            return backend.run(compiled, shots=200).result().get_counts()
        """,
    )
    first = run_program(program, backend="generic:3")
    assert first.status == DONE, first.error
    again = run_program(program, backend="generic:3", seed=first.seed)
    assert again.result == first.result


@pytest.mark.parametrize("backend", ["aer", "basic", "generic:4"])
def test_each_backend_runs_hello(backend: str) -> None:
    record = run_program(HELLO, backend=backend, params={"iterations": 1}, seed=1)
    assert record.status == DONE, record.error
    assert sum(record.interim_results[0]["counts"].values()) == 512


def test_backend_smaller_than_min_num_qubits_is_refused() -> None:
    record = run_program(HELLO, backend="generic:2", seed=1)
    assert record.status == ERROR
    assert record.error == (
        "backend generic-2 has 2 qubits; the program needs 3 "
        "(spec.backend_requirements.min_num_qubits)"
    )


def test_unknown_backend_is_a_usage_error() -> None:
    with pytest.raises(InputValueError, match="unknown backend 'ibm_nowhere'"):
        run_program(HELLO, backend="ibm_nowhere")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"iterations": "three"}, 'input \'iterations\': "three" is not of type "integer"'),
        ({"shots": 0}, "input 'shots': 0 is less than the minimum of 1"),
    ],
)
def test_bad_inputs_are_refused_before_running(params: dict, message: str) -> None:
    with pytest.raises(InputValueError) as caught:
        run_program(HELLO, params=params)
    assert message in str(caught.value)


def test_missing_required_input_is_refused(tmp_path: Path) -> None:
    inputs = tmp_path / "inputs.json"
    inputs.write_text('{"shots": 10}')
    with pytest.raises(InputValueError, match='inputs: "iterations" is a required property'):
        run_program(HELLO, inputs=inputs)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"iterations": ', "inputs are not valid JSON"),
        ("[1, 2]", "inputs must be a JSON object"),
        ('{"seed": {"__type__": "ndarray", "__value__": "!!"}}', "input 'seed': invalid base64"),
    ],
)
def test_malformed_inputs_are_refused(text: str, message: str) -> None:
    with pytest.raises(InputValueError, match=message):
        run_program(HELLO, inputs_text=text)


def test_inputs_round_trip_through_the_codec(tmp_path: Path) -> None:
    program = make_program(
        tmp_path / "p",
        """
        def main(backend, user_messenger, weights, when):
            return {"type": type(weights).__name__, "sum": float(weights.sum()),
                    "year": when.year, "dtype": str(weights.dtype)}
        """,
        parameters={"weights": {"type": "array"}, "when": {"type": "string"}},
        required=["weights", "when"],
    )
    from datetime import datetime

    record = run_program(
        program, inputs={"weights": np.arange(4, dtype=np.float32), "when": datetime(2024, 5, 1)}
    )
    assert record.result == {"type": "ndarray", "sum": 6.0, "year": 2024, "dtype": "float32"}


def test_program_exception_shows_the_programs_own_traceback(tmp_path: Path) -> None:
    program = make_program(
        tmp_path / "p",
        """
        def helper(x):
            return 1 / x

        def main(backend, user_messenger):
            print("about to fail")
            return helper(0)
        """,
    )
    record = run_program(program)
    assert record.status == ERROR
    assert record.error == "ZeroDivisionError: division by zero"
    assert record.traceback.startswith("Traceback (most recent call last):\n")
    assert f'File "{program / "program.py"}", line 7, in main' in record.traceback
    assert "line 3, in helper" in record.traceback
    assert "runtime_kit" not in record.traceback
    assert record.logs == "about to fail\n"


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("import os\n    os._exit(3)", "exited with code 3 before main() returned"),
        ("import ctypes\n    ctypes.string_at(0)", "killed by SIGSEGV before main() returned"),
        ("import sys\n    sys.exit(4)", "the program called sys.exit(4) before main() returned"),
    ],
    ids=["os._exit", "segfault", "sys.exit"],
)
def test_crashes_cannot_take_the_harness_down(tmp_path: Path, body: str, error: str) -> None:
    program = make_program(
        tmp_path / "p",
        f"def main(backend, user_messenger):\n    user_messenger.publish(1)\n    {body}\n",
    )
    record = run_program(program)
    assert record.status == ERROR
    assert error in record.error
    assert record.interim_results == [1]


def test_a_program_that_runs_too_long_is_cancelled(tmp_path: Path) -> None:
    program = make_program(
        tmp_path / "p",
        """
        import subprocess, time

        def main(backend, user_messenger):
            subprocess.Popen(["sleep", "300"])  # killed with the program's process group
            user_messenger.publish("started")
            while True:
                time.sleep(0.05)
        """,
        max_execution_time=8,  # counted from the start: a loaded machine imports slowly
    )
    record = run_program(program)
    assert record.status == CANCELLED == "CANCELLED - RAN TOO LONG"
    assert record.error == "ran longer than 8 s (max_execution_time or --timeout)"
    assert record.interim_results == ["started"]
    assert 8 <= record.duration_s < 40
    assert run_program(program, timeout=1).error.startswith("ran longer than 1 s")


def test_memory_limit_is_a_clear_error(tmp_path: Path) -> None:
    program = make_program(
        tmp_path / "p",
        """
        def main(backend, user_messenger):
            hog = bytearray(3 * 1024 ** 3)
            return len(hog)
        """,
    )
    record = run_program(program, memory_mib=1024)
    assert record.status == ERROR
    assert record.error == (
        "limit reached: memory (1024 MiB of address space per process, RLIMIT_AS): MemoryError"
    )
    assert "MemoryError" in record.traceback


def test_a_native_library_refused_memory_names_the_cap(tmp_path: Path) -> None:
    """OpenBLAS ends the process when RLIMIT_AS refuses its buffers (seen with the
    estimator template at --memory 1500, not at 1000 or 2000: docs/run.md says why)."""
    program = make_program(
        tmp_path / "p",
        """
        import os, sys

        def main(backend, user_messenger):
            print("OpenBLAS error: Memory allocation still failed after 10 retries, giving up.")
            sys.stdout.flush()
            os._exit(1)
        """,
    )
    record = run_program(program, memory_mib=2048)
    assert record.status == ERROR
    assert (
        record.error == "limit reached: memory (2048 MiB of address space per process, RLIMIT_AS)"
    )


def test_unencodable_result_names_its_path(tmp_path: Path) -> None:
    program = make_program(
        tmp_path / "p",
        """
        def main(backend, user_messenger):
            return {"values": [1, 2, object()]}
        """,
    )
    record = run_program(program)
    assert record.status == ERROR
    assert record.error.startswith("the value main() returned cannot be encoded:")
    assert record.error.endswith('(at $["values"][2])')


def test_published_messages_and_result_are_checked_against_their_schemas(tmp_path: Path) -> None:
    program = make_program(
        tmp_path / "p",
        """
        def main(backend, user_messenger):
            user_messenger.publish({"iteration": "first"})
            user_messenger.publish({"iteration": 1})
            return 42
        """,
        spec={
            "interim_results": {"type": "object", "properties": {"iteration": {"type": "integer"}}},
            "return_values": {"type": "string"},
        },
    )
    record = run_program(program)
    assert record.status == DONE
    assert record.warnings == [
        "interim result #0 does not match its schema: "
        '$.iteration: "first" is not of type "integer"',
        'result does not match its schema: $: 42 is not of type "string"',
    ]


def test_legacy_program_runs_unchanged(tmp_path: Path) -> None:
    program = make_program(
        tmp_path / "p",
        """
        import json
        from qiskit.providers.ibmq.runtime import UserMessenger, ProgramBackend
        from qiskit.providers.ibmq.runtime.utils import RuntimeEncoder, RuntimeDecoder
        from qiskit import QuantumCircuit

        def main(backend: ProgramBackend, user_messenger: UserMessenger, **kwargs):
            assert isinstance(user_messenger, UserMessenger)
            circuit = QuantumCircuit(1)
            circuit.x(0)
            circuit.measure_all()
            counts = backend.run(circuit, shots=10).result().get_counts()
            text = json.dumps({"name": backend.name(), "n": backend.configuration().n_qubits},
                              cls=RuntimeEncoder)
            user_messenger.publish(json.loads(text, cls=RuntimeDecoder))
            user_messenger.publish(counts, final=True)
        """,
    )
    record = run_program(program, backend="basic")
    assert record.status == DONE, (record.error, record.traceback)
    assert record.interim_results == [{"name": "basic_simulator", "n": 24}]
    assert record.result == {"1": 10}


def test_helper_modules_and_data_files_beside_the_program(tmp_path: Path) -> None:
    program = make_program(
        tmp_path / "p",
        """
        from helpers import double

        def main(backend, user_messenger):
            with open("data/value.txt") as handle:  # the working directory is the program's
                return double(int(handle.read()))
        """,
    )
    (program / "helpers.py").write_text("def double(x):\n    return 2 * x\n")
    (program / "data").mkdir()
    (program / "data" / "value.txt").write_text("21")
    assert run_program(program).result == 42


def test_program_with_validate_errors_is_refused(tmp_path: Path) -> None:
    program = make_program(tmp_path / "p", "def main(user_messenger, backend):\n    return 1\n")
    with pytest.raises(ProgramRejectedError, match=r"program.py:1:1: RK303"):
        run_program(program)


def test_shots_set_the_backend_default_when_not_an_input(tmp_path: Path) -> None:
    program = make_program(
        tmp_path / "p",
        """
        from qiskit import QuantumCircuit

        def main(backend, user_messenger):
            circuit = QuantumCircuit(1)
            circuit.measure_all()
            return backend.run(circuit).result().get_counts()
        """,
    )
    assert run_program(program, shots=37).result == {"0": 37}
    hello = run_program(HELLO, shots=9, params={"iterations": 1}, seed=1)
    assert hello.result == "Ran 1 circuit, 9 shots in all."


def test_a_non_positive_timeout_is_refused() -> None:
    with pytest.raises(InputValueError, match="timeout must be a positive number"):
        run_program(HELLO, timeout=0)
