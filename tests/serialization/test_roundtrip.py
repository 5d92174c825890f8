"""Everything the encoder writes, the decoder reads back equal."""

from __future__ import annotations

import datetime
import json
import math
from typing import Any

import numpy as np
import pytest
import scipy.sparse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter, ParameterVector
from qiskit.circuit.library import PhaseGate, U2Gate, efficient_su2
from qiskit.quantum_info import DensityMatrix, Operator, Pauli, SparsePauliOp, Statevector

from runtime_kit import RuntimeDecoder, RuntimeEncoder


def roundtrip(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=RuntimeEncoder), cls=RuntimeDecoder)


def test_circuits_and_instructions() -> None:
    circuit = efficient_su2(3, reps=1)
    circuit.measure_all()
    assert roundtrip(circuit) == circuit
    assert roundtrip([circuit, circuit])[1] == circuit
    assert roundtrip(PhaseGate(0.25)) == PhaseGate(0.25)
    theta = Parameter("theta")
    decoded = roundtrip(U2Gate(theta, 1.0))
    assert decoded.params[0] == theta
    measured = QuantumCircuit(1, 1)
    measured.measure(0, 0)
    assert roundtrip(measured.data[0].operation).name == "measure"


def test_parameters_keep_identity_and_vectors() -> None:
    theta, vector = Parameter("θ"), ParameterVector("w", 3)
    first, expression, last, bare = roundtrip([vector[0], 2 * theta + vector[1], vector[2], theta])
    assert bare == theta  # same uuid
    assert first == vector[0]
    assert last == vector[2]
    assert first.vector == last.vector
    assert expression == 2 * theta + vector[1]


def test_settings_objects() -> None:
    from qiskit_algorithms.optimizers import COBYLA, SPSA

    for value in (
        SparsePauliOp(["XI", "ZZ"], coeffs=[1, 2j]),
        Statevector.from_label("01"),
        DensityMatrix.from_label("1"),
        Operator(np.eye(2)),
        Pauli("iXY"),
    ):
        assert roundtrip(value) == value
    spsa = roundtrip(SPSA(maxiter=3, resamplings={1: 10, 4: 2}))
    assert isinstance(spsa, SPSA)
    assert spsa.settings["resamplings"] == {1: 10, 4: 2}
    assert isinstance(roundtrip(COBYLA(maxiter=5)), COBYLA)


def test_optimizers_travel_under_their_legacy_module_name() -> None:
    from qiskit_algorithms.optimizers import SPSA

    encoded = json.loads(json.dumps(SPSA(maxiter=1), cls=RuntimeEncoder))
    assert encoded["__module__"] == "qiskit.algorithms.optimizers.spsa"


def test_noise_model() -> None:
    from qiskit_aer.noise import NoiseModel, depolarizing_error

    model = NoiseModel()
    model.add_all_qubit_quantum_error(depolarizing_error(0.02, 2), ["cx"])
    assert roundtrip(model) == model


@pytest.mark.parametrize("kind", ["csr", "csc", "coo", "dia", "bsr"])
def test_sparse_formats(kind: str) -> None:
    matrix = scipy.sparse.random(6, 5, density=0.4, format=kind, random_state=1)
    decoded = roundtrip(matrix)
    assert decoded.format == kind
    np.testing.assert_array_equal(decoded.toarray(), matrix.toarray())
    array = scipy.sparse.csr_array(matrix)
    assert isinstance(roundtrip(array), scipy.sparse.csr_array)


def test_numpy_scalars_become_json_numbers() -> None:
    text = json.dumps(
        [np.int64(7), np.float32(0.5), np.bool_(False), np.uint8(3)], cls=RuntimeEncoder
    )
    assert text == "[7, 0.5, false, 3]"
    assert roundtrip(np.complex64(1 + 2j)) == 1 + 2j


def test_callable_becomes_null_with_a_warning() -> None:
    with pytest.warns(UserWarning, match="not JSON serializable and will be set to None"):
        assert json.dumps({"f": len}, cls=RuntimeEncoder) == '{"f": null}'


def test_date_comes_back_as_datetime_like_legacy() -> None:
    assert roundtrip(datetime.date(2020, 2, 29)) == datetime.datetime(2020, 2, 29)


def test_to_json_objects_stay_text() -> None:
    class Custom:
        def to_json(self) -> str:
            return '{"k": 1}'

    assert roundtrip(Custom()) == '{"k": 1}'


def test_unknown_tags_stay_plain_dicts() -> None:
    document = '{"__type__": "FutureThing", "__value__": 1}'
    assert json.loads(document, cls=RuntimeDecoder) == {"__type__": "FutureThing", "__value__": 1}


def test_json_dump_to_a_file_works(tmp_path: Any) -> None:
    path = tmp_path / "x.json"
    with path.open("w") as handle:
        json.dump({"a": np.arange(3)}, handle, cls=RuntimeEncoder)
    with path.open() as handle:
        np.testing.assert_array_equal(json.load(handle, cls=RuntimeDecoder)["a"], [0, 1, 2])


# --- property tests --------------------------------------------------------------------

finite = st.floats(allow_nan=False, allow_infinity=True)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    finite,
    st.text(max_size=20),
    st.complex_numbers(allow_nan=False, allow_infinity=False),
    st.datetimes(),
    # Fixed offsets: ISO 8601 keeps the offset, not the zone, and a named zone's local times
    # inside a DST gap or fold compare unequal across zones by Python's own rules.
    st.datetimes(
        timezones=st.builds(
            datetime.timezone,
            st.integers(-23 * 60, 23 * 60).map(lambda minutes: datetime.timedelta(minutes=minutes)),
        )
    ),
)
arrays = hnp.arrays(
    dtype=st.sampled_from(
        [np.float64, np.float32, np.int8, np.int64, np.uint16, np.complex128, np.bool_]
    ),
    shape=hnp.array_shapes(min_dims=0, max_dims=3, max_side=6),
    elements={"allow_nan": False},
)
hashables = st.one_of(st.integers(), st.text(max_size=10), st.booleans())
values = st.recursive(
    st.one_of(scalars, arrays, st.sets(hashables, max_size=5)),
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(st.text(max_size=10), children, max_size=5),
    ),
    max_leaves=20,
)


def assert_equal(actual: Any, expected: Any) -> None:
    if isinstance(expected, np.ndarray):
        assert isinstance(actual, np.ndarray)
        assert actual.dtype == expected.dtype
        assert actual.shape == expected.shape
        np.testing.assert_array_equal(actual, expected)
    elif isinstance(expected, dict):
        assert isinstance(actual, dict)
        assert actual.keys() == expected.keys()
        for key in expected:
            assert_equal(actual[key], expected[key])
    elif isinstance(expected, list | tuple):
        assert isinstance(actual, list)
        assert len(actual) == len(expected)
        for a, e in zip(actual, expected, strict=True):
            assert_equal(a, e)
    elif isinstance(expected, float) and math.isinf(expected):
        assert actual == expected
    else:
        assert actual == expected
        assert type(actual) is type(expected) or isinstance(expected, bool | int)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values)
def test_nested_values_round_trip(value: Any) -> None:
    assert_equal(roundtrip(value), value)


@settings(max_examples=100, deadline=None)
@given(hnp.arrays(np.float64, st.integers(0, 70_000), elements={"allow_nan": False}))
def test_arrays_of_every_size_round_trip(array: np.ndarray) -> None:
    np.testing.assert_array_equal(roundtrip(array), array)
