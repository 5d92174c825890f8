"""Testing kit for program authors.

``run_program(path, inputs=..., backend=..., seed=...)`` runs a program through the local
harness (child process, wire format, schema checks) and returns its ``RunRecord``.  With
runtime-kit installed, pytest also has a ``run_program`` fixture doing the same, which adds
each run's logs and traceback to the report of a failing test::

    def test_example_inputs(run_program):
        record = run_program(PROJECT, seed=1)
        assert record.status == "DONE", record.error
        assert record.result == "..."
"""

from __future__ import annotations

from runtime_kit.harness.record import CANCELLED, DONE, ERROR, RunRecord
from runtime_kit.harness.runner import run_program

__all__ = ["CANCELLED", "DONE", "ERROR", "RunRecord", "run_program"]
