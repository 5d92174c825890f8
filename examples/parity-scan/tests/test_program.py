"""The program, run through runtime-kit's local harness (the `run_program` pytest fixture)."""

import math
from pathlib import Path

from runtime_kit import validate

PROJECT = Path(__file__).resolve().parents[1]


def test_program_validates():
    assert validate(PROJECT) == []


def test_scan_of_the_data_file_angles(run_program):
    record = run_program(PROJECT, seed=11)
    assert record.status == "DONE", record.error
    assert record.warnings == []
    angles, parities = record.result["angles"], record.result["parities"]
    assert len(angles) == 5 and angles[0] == 0.0
    for angle, value in zip(angles, parities, strict=True):
        # two qubits after RY(angle): <ZZ> = cos(angle) ** 2
        assert math.isclose(value, math.cos(angle) ** 2, abs_tol=0.1)
    assert len(record.interim_results) == 5


def test_angles_from_the_inputs(run_program):
    record = run_program(PROJECT, params={"angles": [math.pi], "num_qubits": 3}, seed=2)
    assert record.status == "DONE", record.error
    assert record.result["parities"] == [-1.0]
