"""Quantum kernel alignment's pieces: the tutorial's feature map, kernel matrices against the
exact overlaps, the SVM's dual objective on kernels with known solutions, the SPSA loop, and
the inputs it refuses."""

from __future__ import annotations

import json

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.quantum_info import Statevector

from runtime_kit.algorithms.inputs import ProgramInputError
from runtime_kit.algorithms.kernel_alignment import (
    KERNEL_SHOTS,
    FeatureMap,
    KernelMatrix,
    align_kernel,
    svm_dual,
)
from runtime_kit.harness.backends import build_backend, parse_backend

#: Kernel entries are frequencies of KERNEL_SHOTS shots: 5 standard deviations at p = 1/2.
TOLERANCE = 5 * np.sqrt(0.25 / KERNEL_SHOTS)


def test_the_feature_map_comes_as_its_json_text_or_a_dict() -> None:
    text = json.dumps({"feature_dimension": 6, "entangler_map": [[0, 2], [1, 2]]})
    assert FeatureMap.from_input(text) == FeatureMap(6, ((0, 2), (1, 2)))
    every_pair = FeatureMap.from_input({"feature_dimension": 6})
    assert every_pair.entangler_map == ((0, 1), (0, 2), (1, 2)) and every_pair.num_qubits == 3


def test_the_circuit_is_the_tutorials_map() -> None:
    feature_map = FeatureMap(4, ((0, 1),))
    x, lambdas = [0.1, 0.2, 0.3, 0.4], [0.5, 0.6]
    expected = QuantumCircuit(2)
    expected.ry(-0.5, 0)
    expected.ry(-0.6, 1)
    expected.cz(0, 1)
    expected.rz(-0.4, 0)  # -2 x[1]
    expected.rx(-0.2, 0)  # -2 x[0]
    expected.rz(-0.8, 1)  # -2 x[3]
    expected.rx(-0.6, 1)  # -2 x[2]
    assert feature_map.circuit(x, lambdas) == expected


def exact_kernel(feature_map: FeatureMap, rows, columns, lambdas) -> np.ndarray:
    def state(x):
        return Statevector(feature_map.circuit(x, np.broadcast_to(lambdas, (2,))))

    return np.array([[abs(state(y).inner(state(x))) ** 2 for y in columns] for x in rows])


def test_kernel_matrices_are_the_overlaps_of_the_mapped_points() -> None:
    rng = np.random.default_rng(3)
    train, test = rng.uniform(-1, 1, (5, 4)), rng.uniform(-1, 1, (3, 4))
    feature_map = FeatureMap(4, ((0, 1),))
    kernels = KernelMatrix(feature_map, build_backend(parse_backend("aer"), seed=2))
    square = kernels.matrix(train, train, np.array([0.3]))  # one parameter for every qubit
    np.testing.assert_array_equal(np.diag(square), np.ones(5))
    np.testing.assert_array_equal(square, square.T)
    np.testing.assert_allclose(square, exact_kernel(feature_map, train, train, 0.3), atol=TOLERANCE)
    rectangle = kernels.matrix(test, train, np.array([0.3, -0.2]))
    assert rectangle.shape == (3, 5)
    np.testing.assert_allclose(
        rectangle, exact_kernel(feature_map, test, train, [0.3, -0.2]), atol=TOLERANCE
    )


def test_kernel_matrices_follow_the_initial_layout() -> None:
    feature_map = FeatureMap(4, ((0, 1),))
    kernels = KernelMatrix(
        feature_map, build_backend(parse_backend("noisy-5"), seed=1), initial_layout=[3, 4]
    )
    compiled = kernels._compiled
    used = {compiled.find_bit(q).index for i in compiled.data for q in i.qubits}
    assert used == {3, 4}


@pytest.mark.parametrize(("penalty", "expected"), [(10.0, 2.0), (0.5, 1.5)])
def test_the_svm_dual_objective_of_a_diagonal_kernel(penalty: float, expected: float) -> None:
    """K = I, labels +-1 balanced: the multipliers are min(1, C) each, and the objective is
    sum(a) - |a|^2 / 2: 4 * 1 - 4 / 2 = 2, or 4 * 0.5 - 4 * 0.25 / 2 = 1.5."""
    labels = np.array([1.0, -1.0, 1.0, -1.0])
    assert svm_dual(np.eye(4), labels, penalty) == pytest.approx(expected, abs=1e-6)


def test_the_svm_dual_objective_of_two_identical_points_with_opposite_labels() -> None:
    """Indistinguishable points (K all ones): H = y y^T * 1 has a.H.a = (y.a)^2 = 0, so the
    objective is sum(a), capped by C: 2 C."""
    labels = np.array([1.0, -1.0])
    assert svm_dual(np.ones((2, 2)), labels, 0.7) == pytest.approx(1.4, abs=1e-6)


def test_alignment_publishes_each_step_and_averages_the_last_tenth() -> None:
    rng = np.random.default_rng(5)
    data, labels = rng.uniform(-1, 1, (6, 4)), np.array([1, -1] * 3)
    published = []
    np.random.seed(1)
    result = align_kernel(
        FeatureMap(4, ((0, 1),)),
        build_backend(parse_backend("aer"), seed=1),
        published.append,
        data=data,
        labels=labels,
        initial_kernel_parameters=[0.1, 0.2],
        maxiters=11,
        C=1.0,
    )
    assert len(published) == 11
    assert all(set(message) == {"cost", "kernel_parameters"} for message in published)
    np.testing.assert_array_equal(
        result["aligned_kernel_parameters"], published[-1]["kernel_parameters"]
    )  # a tenth of 11 steps is the last one
    assert result["aligned_kernel_matrix"].shape == (6, 6)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("{not json", "input 'feature_map' is not JSON"),
        ({"entangler_map": []}, "must hold feature_dimension"),
        ({"feature_dimension": 5}, "feature_dimension 5 is not even"),
        ({"feature_dimension": "4"}, "must be an even integer"),
        ({"feature_dimension": 4, "entangler_map": [[0, 2]]}, r"pair \[0, 2\] is not two of its 2"),
        ({"feature_dimension": 4, "entangler_map": [[0, 0]]}, r"pair \[0, 0\]"),
        ({"feature_dimension": 4, "entangler_map": [0, 1]}, "must be pairs of qubits"),
    ],
)
def test_feature_maps_that_cannot_work_are_refused(value: object, message: str) -> None:
    with pytest.raises(ProgramInputError, match=message):
        FeatureMap.from_input(value)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"data": np.zeros((4, 6))}, "'data' must be N x 4 .*not 4 x 6"),
        ({"labels": [1, -1, 1]}, "has 3 labels for 4 points"),
        ({"labels": [1, 0, 1, -1]}, "must be \\+1 and -1, both present"),
        ({"labels": [1, 1, 1, 1]}, "both present"),
        ({"initial_kernel_parameters": [0.1, 0.2, 0.3]}, "has 3 values: give 1"),
        ({"maxiters": 0}, "'maxiters' must be at least 1"),
    ],
)
def test_inputs_alignment_cannot_use_are_refused(changes: dict, message: str) -> None:
    inputs = {"data": np.zeros((4, 4)), "labels": [1, -1, 1, -1], **changes}
    with pytest.raises(ProgramInputError, match=message):
        align_kernel(
            FeatureMap(4, ((0, 1),)), build_backend(parse_backend("aer"), seed=1), print, **inputs
        )
