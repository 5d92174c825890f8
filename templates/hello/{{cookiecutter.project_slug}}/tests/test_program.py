"""The program, run through runtime-kit's local harness (the `run_program` pytest fixture)."""

from pathlib import Path

from runtime_kit import validate

PROJECT = Path(__file__).resolve().parents[1]


def test_program_validates():
    assert validate(PROJECT) == []


def test_example_inputs_run_and_publish_each_iteration(run_program):
    record = run_program(PROJECT, seed=1)
    assert record.status == "DONE", record.error
    assert record.warnings == []
    assert record.result == "Ran 3 circuits, 1536 shots in all."
    assert [message["iteration"] for message in record.interim_results] == [0, 1, 2]
    assert all(sum(m["counts"].values()) == 512 for m in record.interim_results)


def test_same_seed_same_counts(run_program):
    first = run_program(PROJECT, params={"iterations": 2}, seed=5)
    again = run_program(PROJECT, params={"iterations": 2}, seed=5)
    assert first.interim_results == again.interim_results
    other = run_program(PROJECT, params={"iterations": 2}, seed=6)
    assert other.interim_results != first.interim_results


def test_iterations_must_be_positive(run_program):
    import pytest

    from runtime_kit import InputValueError

    with pytest.raises(InputValueError, match="iterations"):
        run_program(PROJECT, params={"iterations": 0})
