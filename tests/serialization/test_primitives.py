"""V2 primitive values: round trips through runtime-kit's own codec, and hostile payloads.

(Interop with qiskit-ibm-runtime, both ways: tests/interop/test_ibm_runtime.py.)
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
from qiskit.primitives.containers import PrimitiveResult, SamplerPubResult
from qiskit.primitives.containers.estimator_pub import EstimatorPub
from qiskit.primitives.containers.sampler_pub import SamplerPub

from runtime_kit import DecodeError, DecodeLimitError, DecodeLimits, RuntimeDecoder, RuntimeEncoder
from runtime_kit.primitives import ExecutionSpans, SliceSpan, TwirledSliceSpanV2
from tests.interop.describe import describe
from tests.interop.primitive_values import START, STOP, values
from tests.interop.test_ibm_runtime import OURS


def round_trip(value: Any, **decoder: Any) -> Any:
    return json.loads(json.dumps(value, cls=RuntimeEncoder), cls=RuntimeDecoder, **decoder)


MADE = values(OURS)


@pytest.mark.parametrize("name", sorted(name for name in MADE if not name.endswith("_pub")))
def test_round_trip(name: str) -> None:
    value = MADE[name]
    back = round_trip(value)
    assert type(back) is type(value)
    assert describe(back) == describe(value)


def test_pubs_travel_as_tuples_and_coerce_back() -> None:
    sampler = round_trip(MADE["sampler_pub"])
    assert [type(part).__name__ for part in sampler] == ["QuantumCircuit", "ndarray", "int"]
    again = SamplerPub.coerce(tuple(sampler))
    assert (again.shape, again.shots) == ((2,), 128)
    estimator = round_trip(MADE["estimator_pub"])
    assert estimator[1] == [{"ZZ": 1.0}, {"XI": 0.5}] and estimator[3] == 0.01
    assert EstimatorPub.coerce(tuple(estimator)).shape == (2,)


def test_a_primitive_result_keeps_its_spans_in_metadata() -> None:
    back = round_trip(MADE["primitive_result_sampler"])
    assert isinstance(back, PrimitiveResult) and isinstance(back[0], SamplerPubResult)
    spans = back.metadata["execution"]["execution_spans"]
    assert spans == MADE["primitive_result_sampler"].metadata["execution"]["execution_spans"]
    assert [type(span).__name__ for span in spans] == [
        "SliceSpan",
        "DoubleSliceSpan",
        "TwirledSliceSpan",
        "TwirledSliceSpanV2",
    ]
    assert back[0].data.meas.get_counts() == MADE["sampler_pub_result"].data.meas.get_counts()


def test_execution_spans_behave_like_a_list() -> None:
    spans: ExecutionSpans = MADE["execution_spans"]
    assert len(spans) == 4 and spans.pub_idxs == [0, 1, 2]
    assert (spans.start, spans.stop) == (START, STOP) and spans.duration == pytest.approx(2.530865)
    assert isinstance(spans[1:], ExecutionSpans) and len(spans[[0, 2]]) == 2
    only_0 = spans.filter_by_pub(0)
    assert [span.pub_idxs for span in only_0] == [[0], [0], [], [0]]
    assert spans[0].contains_pub([0, 5]) and not spans[0].contains_pub(1)
    assert spans.sort(inplace=False) == spans  # all share one window
    v2: TwirledSliceSpanV2 = spans[3]
    assert v2.mask(0).shape == (2, 36) and v2.pub_shots == {0: 36}
    with pytest.raises(KeyError, match="Pub 4 is not included"):
        spans[0].mask(4)


def test_old_collection_name_is_read() -> None:
    span = {"start": START, "stop": STOP, "data_slices": {0: ((4,), slice(0, 2))}}
    text = json.dumps({"__type__": "ExecutionSpanCollection", "__value__": {"spans": []}})
    assert json.loads(text, cls=RuntimeDecoder) == ExecutionSpans([])
    one = json.dumps(SliceSpan(**span), cls=RuntimeEncoder)
    assert json.loads(one, cls=RuntimeDecoder) == SliceSpan(**span)


def tagged(tag: str, value: Any) -> str:
    return json.dumps({"__type__": tag, "__value__": value}, cls=RuntimeEncoder)


U8 = np.zeros((3, 1), dtype=np.uint8)
WHEN = {"__type__": "datetime", "__value__": "2026-01-01T00:00:00"}


@pytest.mark.parametrize(
    ("tag", "value", "message"),
    [
        ("BitArray", [1, 2], "expected an object"),
        ("BitArray", {"array": U8}, "'num_bits' missing"),
        ("BitArray", {"array": U8, "num_bits": 3, "x": 1}, "unexpected key(s) 'x'"),
        ("BitArray", {"array": U8.astype(float), "num_bits": 3}, "uint8 ndarray"),
        ("BitArray", {"array": U8, "num_bits": -1}, "non-negative integer"),
        ("BitArray", {"array": U8, "num_bits": 9}, "2 bytes per shot"),
        ("DataBin", {"fields": {"__class__": 1}}, "field name '__class__' is not allowed"),
        ("DataBin", {"fields": {"keys": 1}}, "Cannot assign with these field names"),
        ("DataBin", {"fields": {}, "shape": [-1]}, "non-negative integers"),
        ("DataBin", {"fields": {}, "shape": [2**40, 2**40]}, "exceeds max_array_elements"),
        ("DataBin", {"fields": {"a": np.zeros(3)}, "shape": [4]}, "does not lead with the shape"),
        ("PubResult", {"data": {"x": 1}, "metadata": {}}, "'data' must be a DataBin"),
        ("PrimitiveResult", {"pub_results": [1], "metadata": {}}, "list of pub results"),
        ("PrimitiveResult", {"pub_results": [], "metadata": 3}, "'metadata' must be an object"),
        ("BindingsArray", {"data": {"not json": [1.0]}}, "is not JSON"),
        ("BindingsArray", {"data": {"[1]": [1.0]}}, "JSON list of parameter names"),
        ("BindingsArray", {"data": {'["a"]': "text"}}, "expected an array of values"),
        ("BindingsArray", {"shape": [10**12]}, "exceeds max_array_elements"),
        ("ObservablesArray", "ZZ", "expected (nested lists of)"),
        ("ObservablesArray", [{"ZQ": 1.0}], "cannot decode"),
        ("ExecutionSpan", {"start": 1, "stop": 2, "data_slices": {}}, "must be datetimes"),
        (
            "ExecutionSpan",
            {"start": WHEN, "stop": WHEN, "data_slices": {"x": []}},
            "not an integer",
        ),
        ("ExecutionSpan", {"start": WHEN, "stop": WHEN, "data_slices": {"0": [[2], 0]}}, "3 items"),
        (
            "DoubleSliceSpan",
            {"start": WHEN, "stop": WHEN, "data_slices": {"0": [[2], 0, "a", 0, 1]}},
            "integers or null",
        ),
        (
            "TwirledSliceSpan",
            {"start": WHEN, "stop": WHEN, "data_slices": {"0": [[2], 1, 0, 1, 0, 1]}},
            "true or false",
        ),
        (
            "TwirledSliceSpanV2",
            {"start": WHEN, "stop": WHEN, "data_slices": {"0": [[2, 2], True, 0, 1, 0, 1, -3]}},
            "pub shots",
        ),
        ("ExecutionSpans", {"spans": [{"a": 1}]}, "list of execution spans"),
        ("PauliLindbladMap", {"paulis": [["X", [0]]], "num_qubits": 1}, "[paulis, qubits, rate]"),
        ("PauliLindbladMap", {"paulis": [], "num_qubits": -1}, "non-negative integer"),
        ("PauliLindbladMap", {"paulis": [["X", [5], 0.1]], "num_qubits": 1}, "cannot decode"),
    ],
)
def test_hostile_values_are_one_decode_error(tag: str, value: Any, message: str) -> None:
    with pytest.raises(DecodeError) as caught:
        json.loads(tagged(tag, value), cls=RuntimeDecoder)
    assert message in str(caught.value)
    assert f"(in a '{tag}' value)" in str(caught.value)


def test_shapes_are_capped_by_the_decode_limits() -> None:
    text = tagged("BindingsArray", {"shape": [1000, 1000], "data": {}})
    assert json.loads(text, cls=RuntimeDecoder).shape == (1000, 1000)
    with pytest.raises(DecodeLimitError, match="max_array_elements=999999"):
        json.loads(text, cls=RuntimeDecoder, limits=DecodeLimits(max_array_elements=999_999))
