"""Payloads written by the legacy encoders decode to objects equal to today's equivalents."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import scipy.sparse
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter, ParameterExpression, ParameterVectorElement
from qiskit.circuit.library import CXGate, PhaseGate, U2Gate
from qiskit.quantum_info import Operator, Pauli, SparsePauliOp, Statevector
from qiskit.result import Result

from runtime_kit import RuntimeDecoder

VECTORS = Path(__file__).parent / "vectors"
STACKS = sorted(VECTORS.glob("*.json"))


def load_vectors(path: Path) -> dict[str, str]:
    document = json.loads(path.read_text())
    return {row["name"]: row["payload"] for row in document["vectors"]}


def decode(payload: str) -> Any:
    return json.loads(payload, cls=RuntimeDecoder)


def bell() -> QuantumCircuit:
    circuit = QuantumCircuit(2, 2, name="bell")
    circuit.h(0)
    circuit.cx(0, 1)
    circuit.measure([0, 1], [0, 1])
    return circuit


def bind_all(circuit: QuantumCircuit, values: dict[str, float]) -> QuantumCircuit:
    return circuit.assign_parameters({p: values[p.name] for p in circuit.parameters})


@pytest.fixture(params=STACKS, ids=[p.stem for p in STACKS])
def vectors(request: pytest.FixtureRequest) -> dict[str, str]:
    vectors = load_vectors(request.param)
    vectors["_stack"] = request.param.stem
    return vectors


def test_both_legacy_stacks_have_vectors() -> None:
    assert {p.stem for p in STACKS} == {
        "qiskit-ibmq-provider-0.20.2",
        "qiskit-ibm-runtime-0.9.4",
    }


def test_datetimes(vectors: dict[str, str]) -> None:
    assert decode(vectors["datetime"]) == datetime.datetime(2021, 9, 13, 17, 27, 42, 123456)
    assert decode(vectors["datetime_tz"]) == datetime.datetime(
        2021, 9, 13, 17, 27, 42, tzinfo=datetime.UTC
    )
    assert decode(vectors["date"]) == datetime.datetime(2022, 3, 25)


def test_complex_and_set(vectors: dict[str, str]) -> None:
    assert decode(vectors["complex"]) == 1.5 - 2.25j
    assert decode(vectors["set"]) == {1, 2, 3}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("ndarray_float", np.linspace(0, 1, 11)),
        ("ndarray_int_2d", np.arange(12, dtype=np.int32).reshape(3, 4)),
        ("ndarray_complex", np.array([1 + 1j, 2 - 0.5j])),
        ("ndarray_bool", np.array([True, False, True])),
        ("ndarray_fortran", np.asfortranarray(np.arange(6.0).reshape(2, 3))),
    ],
)
def test_numeric_arrays(vectors: dict[str, str], name: str, expected: np.ndarray) -> None:
    decoded = decode(vectors[name])
    assert decoded.dtype == expected.dtype
    np.testing.assert_array_equal(decoded, expected)
    decoded[...] = decoded  # writable, as np.load's arrays are


def test_object_array_decodes_as_legacy_did(vectors: dict[str, str]) -> None:
    np.testing.assert_array_equal(decode(vectors["ndarray_object"]), np.array([1, "a", None]))


def test_result(vectors: dict[str, str]) -> None:
    decoded = decode(vectors["result"])
    assert isinstance(decoded, Result)
    assert decoded.get_counts() == {"00": 48, "11": 52}


def test_to_json_stays_text(vectors: dict[str, str]) -> None:
    assert json.loads(decode(vectors["to_json"])) == {"kind": "serializable", "value": 42}


def test_circuits(vectors: dict[str, str]) -> None:
    assert decode(vectors["circuit_bell"]) == bell()
    first, second = decode(vectors["circuit_list"])
    assert first == bell()
    for circuit in (second, decode(vectors["circuit_param"])):
        theta, phi = sorted(circuit.parameters, key=lambda p: p.name)[::-1]
        expected = QuantumCircuit(1, name="param")
        expected.rx(theta, 0)
        expected.rz(2 * phi + theta, 0)
        assert circuit == expected


def test_blueprint_circuit_keeps_its_unitary(vectors: dict[str, str]) -> None:
    from qiskit.circuit.library import efficient_su2

    decoded = decode(vectors["circuit_efficient_su2"])
    expected = efficient_su2(2, reps=1)
    values = {p.name: 0.1 * (i + 1) for i, p in enumerate(expected.parameters)}
    assert {p.name for p in decoded.parameters} == set(values)
    assert Operator(bind_all(decoded, values)).equiv(Operator(bind_all(expected, values)))


def test_parameters(vectors: dict[str, str]) -> None:
    theta = decode(vectors["parameter"])
    assert isinstance(theta, Parameter)
    assert theta.name == "theta"
    expression = decode(vectors["parameter_expression"])
    assert isinstance(expression, ParameterExpression)
    assert {p.name for p in expression.parameters} == {"theta", "phi"}
    bound = expression.bind({p: {"theta": 0.5, "phi": 2.0}[p.name] for p in expression.parameters})
    assert float(bound) == pytest.approx(4.5)


def test_parameter_vector_elements_share_their_vector(vectors: dict[str, str]) -> None:
    first, expression, third = decode(vectors["parameter_vector"])
    second, in_expression = sorted(expression.parameters, key=lambda p: p.index)
    # qiskit hands out a fresh ParameterVector object per access: compare, not identity.
    assert second.vector == in_expression.vector
    assert [e.name for e in second.vector] == ["v[0]", "v[1]", "v[2]"]
    if vectors["_stack"].startswith("qiskit-ibm-runtime"):
        # qiskit-ibm-runtime wrote a lone element under its "Parameter" tag, which has no
        # room for the vector: its own decoder returns plain Parameters, and so do we.
        assert [(type(p), p.name) for p in (first, third)] == [
            (Parameter, "v[0]"),
            (Parameter, "v[2]"),
        ]
    else:
        assert isinstance(first, ParameterVectorElement)
        assert first.vector == second.vector == third.vector
        assert third == in_expression


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("instruction_cx", CXGate()),
        ("instruction_phase", PhaseGate(1.0)),
        ("instruction_u2", U2Gate(0.5, 0.25)),
    ],
)
def test_instructions(vectors: dict[str, str], name: str, expected: Any) -> None:
    assert decode(vectors[name]) == expected


def test_parametric_instruction(vectors: dict[str, str]) -> None:
    decoded = decode(vectors["instruction_u2_param"])
    assert decoded.name == "u2"
    assert [str(p) for p in decoded.params] == ["theta", "0.25"]


def test_settings_objects(vectors: dict[str, str]) -> None:
    assert decode(vectors["sparse_pauli_op"]) == SparsePauliOp(["XX", "ZI"], coeffs=[0.5, -1j])
    assert decode(vectors["pauli"]) == Pauli("XYZ")
    assert decode(vectors["statevector"]) == Statevector([1 / np.sqrt(2), 0, 0, 1 / np.sqrt(2)])
    assert decode(vectors["operator"]) == Operator(np.array([[0, 1], [1, 0]]))


def test_optimizers_from_qiskit_algorithms(vectors: dict[str, str]) -> None:
    from qiskit_algorithms.optimizers import ADAM, NELDER_MEAD, SPSA

    spsa = decode(vectors["optimizer_spsa"])
    assert isinstance(spsa, SPSA)
    assert spsa.settings["resamplings"] == {1: 100, 2: 50}
    assert spsa.maxiter == 10
    assert isinstance(decode(vectors["optimizer_nelder_mead"]), NELDER_MEAD)
    adam = decode(vectors["optimizer_adam"])
    assert isinstance(adam, ADAM)
    assert adam.settings["lr"] == 0.01


def test_sparse_matrix(vectors: dict[str, str]) -> None:
    decoded = decode(vectors["spmatrix"])
    assert scipy.sparse.issparse(decoded)
    np.testing.assert_array_equal(decoded.toarray(), [[0, 2.5, 0], [1, 0, 0]])


def test_callable_was_sent_as_null(vectors: dict[str, str]) -> None:
    assert decode(vectors["callable"]) is None


def test_nested(vectors: dict[str, str]) -> None:
    assert decode(vectors["nested"]) == {
        "list": [1, 2.5, "x", None, True],
        "inner": {"z": 3 + 4j, "when": datetime.datetime(2020, 1, 2)},
    }


def test_noise_model_from_runtime_stack() -> None:
    from qiskit_aer.noise import NoiseModel, depolarizing_error

    payload = load_vectors(VECTORS / "qiskit-ibm-runtime-0.9.4.json")["noise_model"]
    decoded = decode(payload)
    expected = NoiseModel()
    expected.add_all_qubit_quantum_error(depolarizing_error(0.01, 1), ["x", "sx"])
    assert isinstance(decoded, NoiseModel)
    assert decoded == expected


def test_every_vector_is_covered() -> None:
    names = set()
    for path in STACKS:
        names |= set(load_vectors(path))
    source = Path(__file__).read_text()
    assert not [name for name in names if f'"{name}"' not in source]
