"""The function, run through runtime-kit's local harness (the `run_program` pytest fixture):
its arguments in, its saved result out, as in its job on a service."""

from pathlib import Path

import pytest

from runtime_kit import InputValueError, validate

PROJECT = Path(__file__).resolve().parents[1]


def test_function_validates():
    assert validate(PROJECT) == []


def test_example_arguments_give_a_ghz_histogram(run_program):
    record = run_program(PROJECT, seed=1)
    assert record.status == "DONE", record.error
    counts = record.result["counts"]
    assert set(counts) <= {"00", "11"} and sum(counts.values()) == 1024
    assert record.statuses == ["MAPPING", "EXECUTING_QPU", "POST_PROCESSING"]
    assert "sampling a 2-qubit GHZ state" in record.logs


def test_same_seed_same_counts(run_program):
    first = run_program(PROJECT, inputs={"shots": 100, "qubits": 3}, seed=5)
    again = run_program(PROJECT, inputs={"shots": 100, "qubits": 3}, seed=5)
    assert first.result == again.result
    assert set(first.result["counts"]) <= {"000", "111"}


def test_arguments_are_checked_against_the_schema(run_program):
    with pytest.raises(InputValueError, match="shots"):
        run_program(PROJECT, inputs={"shots": 0})
