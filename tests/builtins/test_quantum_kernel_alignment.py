"""The built-in ``quantum-kernel-alignment`` program through the local harness, on what the
QKA notebook sends (its FeatureMap as to_json text, data, labels, one initial parameter for
every qubit, an initial layout): the interim results and result IBM documented (checked
against its metadata by the harness: no warnings), and refusals."""

from __future__ import annotations

import json

import numpy as np
import pytest

from runtime_kit import InputValueError
from runtime_kit.testing import run_program
from tests.conftest import ROOT
from tests.interop.application_vectors import run_of

QKA = ROOT / "runtime_kit" / "builtin_programs" / "quantum-kernel-alignment"


def notebook_inputs(**changes: object) -> str:
    inputs = json.loads(run_of("qka_notebook")["payload"])
    inputs.update(changes)
    return json.dumps(inputs)


def test_the_notebooks_inputs_align_the_kernel() -> None:
    record = run_program(QKA, seed=1)  # the example: the notebook's inputs, 3 steps
    assert (record.status, record.error, record.warnings) == ("DONE", None, [])
    assert len(record.interim_results) == 3
    for message in record.interim_results:
        assert set(message) == {"cost", "kernel_parameters"}
        assert message["kernel_parameters"].shape == (1,)  # one parameter, as given
    result = record.result
    assert set(result) == {"aligned_kernel_parameters", "aligned_kernel_matrix"}
    np.testing.assert_array_equal(
        result["aligned_kernel_parameters"], record.interim_results[-1]["kernel_parameters"]
    )
    matrix = result["aligned_kernel_matrix"]
    assert matrix.shape == (8, 8)
    np.testing.assert_array_equal(np.diag(matrix), np.ones(8))
    np.testing.assert_array_equal(matrix, matrix.T)
    assert ((matrix >= 0) & (matrix <= 1)).all()


def test_a_seed_repeats_the_alignment() -> None:
    inputs = notebook_inputs(maxiters=1, initial_kernel_parameters=None)
    first, second = (run_program(QKA, inputs_text=inputs, seed=9) for _ in range(2))
    assert first.status == second.status == "DONE", first.error
    assert first.interim_texts == second.interim_texts


def test_a_feature_map_the_program_cannot_use_fails_the_job_with_its_reason() -> None:
    feature_map = json.dumps({"feature_dimension": 4, "entangler_map": [[0, 5]]})
    record = run_program(QKA, inputs_text=notebook_inputs(feature_map=feature_map), seed=1)
    assert record.status == "ERROR"
    assert "feature_map: entangler pair [0, 5] is not two of its 2 qubits" in record.error


def test_the_schema_refuses_labels_other_than_plus_and_minus_one() -> None:
    with pytest.raises(InputValueError, match="labels"):
        run_program(QKA, inputs_text=notebook_inputs(labels=[2] * 8), seed=1)
