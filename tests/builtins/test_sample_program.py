"""The built-in ``sample-program`` (IBM's deprecated first sample), through the local harness:
the interim results and the return value IBM documented."""

from __future__ import annotations

import pytest

from runtime_kit import InputValueError
from runtime_kit.testing import run_program
from tests.conftest import ROOT

SAMPLE_PROGRAM = ROOT / "runtime_kit" / "builtin_programs" / "sample-program"


def test_each_iteration_publishes_its_counts_and_the_result_is_all_done() -> None:
    record = run_program(SAMPLE_PROGRAM, inputs={"iterations": 2}, seed=5)
    assert (record.status, record.error, record.warnings) == ("DONE", None, [])
    assert record.result == "All done!"
    assert [message["iteration"] for message in record.interim_results] == [0, 1]
    for message in record.interim_results:
        assert {len(outcome) for outcome in message["counts"]} == {5}
        assert sum(message["counts"].values()) == 1024
    again = run_program(SAMPLE_PROGRAM, inputs={"iterations": 2}, seed=5)
    assert again.interim_results == record.interim_results


def test_iterations_are_required_by_its_metadata_as_ibm_documented_them() -> None:
    with pytest.raises(InputValueError, match="iterations"):
        run_program(SAMPLE_PROGRAM, inputs={"iterations": -1}, seed=1)
    with pytest.raises(InputValueError, match='"iterations" is a required property'):
        run_program(SAMPLE_PROGRAM, inputs={}, seed=1)
