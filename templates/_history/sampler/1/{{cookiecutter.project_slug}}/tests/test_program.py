"""The program, run through runtime-kit's local harness (the `run_program` pytest fixture)."""

from pathlib import Path

import numpy as np
from qiskit.primitives import PrimitiveResult

from runtime_kit import validate

PROJECT = Path(__file__).resolve().parents[1]


def test_program_validates():
    assert validate(PROJECT) == []


def test_example_sweeps_the_parity_from_1_to_minus_1(run_program):
    record = run_program(PROJECT, seed=7)
    assert record.status == "DONE", record.error
    assert record.warnings == []
    parities = [message["parity"] for message in record.interim_results]
    assert parities[0] == 1.0 and parities[-1] == -1.0  # |000> at 0, |111> at pi
    assert abs(parities[2]) < 0.15  # cos(pi/2) = 0, up to shot noise
    result = record.result
    assert isinstance(result, PrimitiveResult)
    assert result[0].data.meas.shape == (5,) and result[0].data.meas.num_shots == 1000


def test_the_same_seed_gives_the_same_bits(run_program):
    inputs = {"angles": [1.0, 2.0], "shots": 50, "num_qubits": 2}
    first = run_program(PROJECT, inputs=inputs, seed=3).result
    again = run_program(PROJECT, inputs=inputs, seed=3).result
    assert np.array_equal(first[0].data.meas.array, again[0].data.meas.array)
