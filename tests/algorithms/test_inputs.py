"""Operators, auxiliary operators and initial points, coerced from what legacy clients send,
and a clear error for what cannot be used."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit.quantum_info import Pauli, SparsePauliOp

from runtime_kit.algorithms.inputs import (
    ProgramInputError,
    auxiliary_operators,
    initial_point,
    pauli_operator,
)


def test_operators_become_sparse_pauli_ops() -> None:
    operator = SparsePauliOp.from_list([("ZZ", 1.0), ("XI", 0.5)])
    assert pauli_operator(operator) is operator
    assert pauli_operator(Pauli("XZ")) == SparsePauliOp("XZ")
    assert pauli_operator("ZZI") == SparsePauliOp("ZZI")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (3.5, "input 'operator' must be a Pauli operator .* not float"),
        ({"ZZ": 1}, "not dict"),
        ("ZQ", "input 'operator': "),
    ],
)
def test_what_is_not_a_pauli_operator_is_named(value: object, message: str) -> None:
    with pytest.raises(ProgramInputError, match=message):
        pauli_operator(value)


def test_auxiliary_operators_keep_their_shape() -> None:
    assert auxiliary_operators(None, 2) is None
    assert auxiliary_operators([], 2) is None
    assert auxiliary_operators({}, 2) is None  # qiskit-nature sends {} when there are none
    assert auxiliary_operators(["ZZ", Pauli("XX")], 2) == [SparsePauliOp("ZZ"), SparsePauliOp("XX")]
    named = auxiliary_operators({"0": "ZI", 1: SparsePauliOp("IZ")}, 2)
    assert named == {"0": SparsePauliOp("ZI"), "1": SparsePauliOp("IZ")}


def test_auxiliary_operators_must_fit_the_operator() -> None:
    with pytest.raises(ProgramInputError, match="acts on 3 qubits, the operator on 2"):
        auxiliary_operators(["ZZZ"], 2)
    with pytest.raises(ProgramInputError, match=r"aux_operators\['energy'\]"):
        auxiliary_operators({"energy": 1.0}, 2)
    with pytest.raises(ProgramInputError, match="a list or a dict of operators, not str"):
        auxiliary_operators("ZZ", 2)


def test_initial_points_are_given_or_drawn_within_the_bounds() -> None:
    np.testing.assert_array_equal(initial_point([0.5, 1], 2), [0.5, 1.0])
    np.random.seed(3)
    bounds = [(0, 1), (None, None)] * 500
    drawn = initial_point(None, 1000, bounds=bounds)
    assert drawn.shape == (1000,)
    assert drawn[::2].min() >= 0 and drawn[::2].max() <= 1
    assert drawn[1::2].min() < -np.pi and drawn[1::2].max() > np.pi  # unbounded: +-2 pi
    np.random.seed(3)
    np.testing.assert_array_equal(initial_point("random", 1000, bounds=bounds), drawn)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ([0.1, 0.2, 0.3], "has 3 values; the ansatz has 2 parameters"),
        ([[0.1, 0.2]], "must be a flat list of numbers"),
        ("zeros", "must be numbers or 'random'"),
        ([0.1, "a"], "must be numbers or 'random'"),
    ],
)
def test_initial_points_that_do_not_fit_are_refused(value: object, message: str) -> None:
    with pytest.raises(ProgramInputError, match=message):
        initial_point(value, 2)
