"""The program, run through runtime-kit's local harness (the `run_program` pytest fixture)."""

from pathlib import Path

import numpy as np
import pytest
from qiskit.primitives import PrimitiveResult

from runtime_kit import InputValueError, validate

PROJECT = Path(__file__).resolve().parents[1]
#: Ground-state energy of the example observable (H2 at 0.735 Å, 2 qubits).
EXACT = -1.857275


def test_program_validates():
    assert validate(PROJECT) == []


def test_example_converges_near_the_ground_state(run_program):
    record = run_program(PROJECT, seed=7)
    assert record.status == "DONE", record.error
    assert record.warnings == []
    energies = [m["energy"] for m in record.interim_results]
    assert [m["iteration"] for m in record.interim_results] == list(range(1, len(energies) + 1))
    assert record.result["energy"] < -1.7  # within ~0.15 of the exact -1.857
    assert record.result["energy"] > EXACT - 0.1  # shot noise, not below the ground state
    assert isinstance(record.result["parameters"], np.ndarray)
    final = record.result["result"]  # the estimator's V2 result at the best parameters
    assert isinstance(final, PrimitiveResult)
    assert abs(float(final[0].data.evs) - record.result["energy"]) < 0.1
    assert float(final[0].data.stds) > 0


@pytest.mark.parametrize("observable", [[["ZZ", "one"]], [["ZZ"]], [["ZZ", 1.0, 2]], [["AB", 1.0]]])
def test_a_malformed_observable_is_refused_before_running(run_program, observable):
    with pytest.raises(InputValueError, match="observable"):
        run_program(PROJECT, inputs={"observable": observable})


def test_initial_point_travels_as_an_encoded_array(run_program):
    inputs = {"observable": [["Z", 1.0]], "maxiter": 5, "initial_point": np.full(4, np.pi)}
    record = run_program(PROJECT, inputs=inputs, seed=3)
    assert record.status == "DONE", record.error
    assert record.result["evaluations"] >= 1
