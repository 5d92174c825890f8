"""V2 primitive values on the wire, in qiskit-ibm-runtime's layouts (0.51, ``json.py``).

=========================================  ===================================================
tag                                        ``__value__``
=========================================  ===================================================
``PrimitiveResult``                        ``{"pub_results": [...], "metadata": {...}}``
``SamplerPubResult``, ``PubResult``,       ``{"data": DataBin, "metadata": {...}}``
``EstimatorPubResult``
``DataBin``                                ``{"field_names": [...], "shape": [...], "fields": {}}``
``BitArray``                               ``{"array": uint8 ndarray, "num_bits": n}``
``ObservablesArray``                       ``tolist()``: nested lists of ``{pauli: coeff}``
``BindingsArray``                          ``{"shape": [...], "data": {json(names): ndarray}}``
``ExecutionSpan`` (a ``SliceSpan``)        ``{"start", "stop", "data_slices": {idx: [shape,
                                           start, stop]}}``
``DoubleSliceSpan``                        data slices ``[shape, arg0, arg1, shot0, shot1]``
``TwirledSliceSpan``                       ``[shape, at_front, arg0, arg1, shot0, shot1]``
``TwirledSliceSpanV2``                     the same plus ``pub_shots``
``ExecutionSpans``                         ``{"spans": [...]}`` (read also as the old
                                           ``ExecutionSpanCollection``)
``PauliLindbladMap``                       ``{"paulis": to_sparse_list(), "num_qubits": n}``
=========================================  ===================================================

Pubs travel untagged, as qiskit-ibm-runtime writes them: a sampler pub as
``[circuit, parameter values, shots]``, an estimator pub as ``[circuit, observables.tolist(),
parameter values, precision]``.

Decoding checks every shape and type before a constructor sees it, and caps the elements a
declared shape may stand for at ``DecodeLimits.max_array_elements``.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable
from datetime import datetime
from typing import Any

import numpy as np
from qiskit.primitives.containers import (
    BitArray,
    DataBin,
    PrimitiveResult,
    PubResult,
    SamplerPubResult,
)
from qiskit.primitives.containers.bindings_array import BindingsArray
from qiskit.primitives.containers.estimator_pub import EstimatorPub
from qiskit.primitives.containers.observables_array import ObservablesArray
from qiskit.primitives.containers.sampler_pub import SamplerPub
from qiskit.quantum_info import PauliLindbladMap

from runtime_kit.errors import DecodeError, DecodeLimitError
from runtime_kit.primitives import execution_spans as spans
from runtime_kit.primitives.results import EstimatorPubResult
from runtime_kit.serialization.limits import DecodeLimits

UNKNOWN = object()

#: span tag -> (our class, layout of one data_slices entry): s shape, b bool, l slice, i int
_SPAN_LAYOUTS: dict[str, tuple[type[spans.ExecutionSpan], str]] = {
    "TwirledSliceSpanV2": (spans.TwirledSliceSpanV2, "sblli"),
    "TwirledSliceSpan": (spans.TwirledSliceSpan, "sbll"),
    "DoubleSliceSpan": (spans.DoubleSliceSpan, "sll"),
    "ExecutionSpan": (spans.SliceSpan, "sl"),
}


def envelope(tag: str, value: Any) -> dict[str, Any]:
    return {"__type__": tag, "__value__": value}


# --- encoding -------------------------------------------------------------------------------


def encode(obj: Any) -> Any:
    """The wire form of a primitive value, or ``UNKNOWN``; in qiskit-ibm-runtime's order."""
    if isinstance(obj, ObservablesArray):
        return envelope("ObservablesArray", obj.tolist())
    if isinstance(obj, BindingsArray):
        data = {json.dumps(list(names)): values for names, values in obj.data.items()}
        return envelope("BindingsArray", {"shape": obj.shape, "data": data})
    if isinstance(obj, BitArray):
        return envelope("BitArray", {"array": obj.array, "num_bits": obj.num_bits})
    if isinstance(obj, DataBin):
        fields = dict(obj.items())
        return envelope(
            "DataBin", {"field_names": list(fields), "shape": obj.shape, "fields": fields}
        )
    if isinstance(obj, EstimatorPub):
        values = obj.parameter_values.as_array(obj.circuit.parameters)
        return [obj.circuit, obj.observables.tolist(), values, obj.precision]
    if isinstance(obj, SamplerPub):
        values = obj.parameter_values.as_array(obj.circuit.parameters)
        return [obj.circuit, values, obj.shots]
    if isinstance(obj, PubResult):
        return envelope(_pub_result_tag(obj), {"data": obj.data, "metadata": obj.metadata})
    if isinstance(obj, PrimitiveResult):
        return envelope("PrimitiveResult", {"pub_results": list(obj), "metadata": obj.metadata})
    if isinstance(obj, PauliLindbladMap):
        return envelope(
            "PauliLindbladMap", {"paulis": obj.to_sparse_list(), "num_qubits": obj.num_qubits}
        )
    return _encode_span(obj)


def _pub_result_tag(result: PubResult) -> str:
    if isinstance(result, _foreign("EstimatorPubResult", EstimatorPubResult)):
        return "EstimatorPubResult"
    return "SamplerPubResult" if isinstance(result, SamplerPubResult) else "PubResult"


def _encode_span(obj: Any) -> Any:
    if isinstance(obj, _foreign("ExecutionSpans", spans.ExecutionSpans)):
        return envelope("ExecutionSpans", {"spans": list(obj)})
    for tag, (ours, _) in _SPAN_LAYOUTS.items():  # subclasses first
        cls = _foreign("SliceSpan" if ours is spans.SliceSpan else ours.__name__, ours)
        if isinstance(obj, cls):
            return envelope(
                tag, {"start": obj.start, "stop": obj.stop, "data_slices": _flat_slices(obj)}
            )
    return UNKNOWN


def _flat_slices(span: Any) -> dict[int, list[Any]]:
    """``data_slices`` entries with each slice written as its start and stop."""
    pub_shots = getattr(span, "_pub_shots", None)  # TwirledSliceSpanV2 keeps them apart
    flat = {}
    for index, entry in span._data_slices.items():
        parts = [*entry, pub_shots[index]] if pub_shots is not None else list(entry)
        flat[index] = [
            item
            for part in parts
            for item in ((part.start, part.stop) if isinstance(part, slice) else (part,))
        ]
    return flat


def _foreign(name: str, ours: type) -> tuple[type, ...]:
    """``ours``, plus qiskit-ibm-runtime's class of that name when the program imported it
    (runtime-kit never imports qiskit-ibm-runtime itself)."""
    module = sys.modules.get(
        "qiskit_ibm_runtime.results.estimator_pub"
        if name == "EstimatorPubResult"
        else "qiskit_ibm_runtime.execution_span"
    )
    theirs = getattr(module, name, None) if module is not None else None
    return (ours, theirs) if isinstance(theirs, type) else (ours,)


# --- decoding -------------------------------------------------------------------------------


def decoders(limits: DecodeLimits) -> dict[str, Callable[[Any], Any]]:
    """tag -> function of the ``__value__`` (values inside it are decoded already)."""
    table: dict[str, Callable[[Any], Any]] = {
        "ObservablesArray": _observables_array,
        "BindingsArray": lambda value: _bindings_array(value, limits),
        "BitArray": _bit_array,
        "DataBin": lambda value: _data_bin(value, limits),
        "PubResult": lambda value: _pub_result(value, PubResult, "PubResult"),
        "SamplerPubResult": lambda value: _pub_result(value, SamplerPubResult, "SamplerPubResult"),
        "EstimatorPubResult": lambda value: _pub_result(
            value, EstimatorPubResult, "EstimatorPubResult"
        ),
        "PrimitiveResult": _primitive_result,
        "ExecutionSpans": lambda value: _execution_spans(value, "ExecutionSpans"),
        "ExecutionSpanCollection": lambda value: _execution_spans(value, "ExecutionSpanCollection"),
        "PauliLindbladMap": _pauli_lindblad_map,
    }
    for tag in _SPAN_LAYOUTS:
        table[tag] = lambda value, tag=tag: _span(value, tag, limits)
    return table


def _fields(
    value: Any, tag: str, required: tuple[str, ...], optional: tuple[str, ...] = ()
) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise DecodeError("expected an object", tag=tag)
    missing = [key for key in required if key not in value]
    if missing:
        raise DecodeError(f"{', '.join(map(repr, missing))} missing", tag=tag)
    unknown = sorted(set(value) - set(required) - set(optional))
    if unknown:
        raise DecodeError(f"unexpected key(s) {', '.join(map(repr, unknown))}", tag=tag)
    return value


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _shape(value: Any, limits: DecodeLimits, tag: str) -> tuple[int, ...]:
    if not isinstance(value, list | tuple) or not all(_is_int(n) and n >= 0 for n in value):
        raise DecodeError("a shape must be a list of non-negative integers", tag=tag)
    if len(value) > 64:
        raise DecodeError(f"a shape of {len(value)} dimensions (at most 64)", tag=tag)
    if math.prod(value) > limits.max_array_elements:
        raise DecodeLimitError(
            f"shape {list(value)} exceeds max_array_elements={limits.max_array_elements}",
            tag=tag,
        )
    return tuple(value)


def _metadata(value: Any, tag: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise DecodeError("'metadata' must be an object", tag=tag)
    return value


def _observables_array(value: Any) -> ObservablesArray:
    if not isinstance(value, list | dict):
        raise DecodeError("expected (nested lists of) {pauli: coefficient}", tag="ObservablesArray")
    return ObservablesArray(value)


def _bindings_array(value: Any, limits: DecodeLimits) -> BindingsArray:
    tag = "BindingsArray"
    fields = _fields(value, tag, (), ("shape", "data"))
    shape = fields.get("shape")
    data = fields.get("data") or {}
    if not isinstance(data, dict):
        raise DecodeError(f"'data' must be an object, not {type(data).__name__}", tag=tag)
    decoded = {}
    for key, values in data.items():
        decoded[_parameter_names(key)] = _array(values, limits, tag)
    return BindingsArray(
        decoded or None, shape=None if shape is None else _shape(shape, limits, tag)
    )


def _parameter_names(key: str) -> tuple[str, ...]:
    try:
        names = json.loads(key)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise DecodeError(f"data key {key[:40]!r} is not JSON", tag="BindingsArray") from exc
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        raise DecodeError(
            f"data key {key[:40]!r} must be a JSON list of parameter names", tag="BindingsArray"
        )
    return tuple(names)


def _array(value: Any, limits: DecodeLimits, tag: str) -> np.ndarray:
    if isinstance(value, np.ndarray):
        return value
    if isinstance(value, list | int | float):
        array = np.asarray(value, dtype=float)
        if array.size > limits.max_array_elements:
            raise DecodeLimitError("array exceeds max_array_elements", tag=tag)
        return array
    raise DecodeError(f"expected an array of values, got {type(value).__name__}", tag=tag)


def _bit_array(value: Any) -> BitArray:
    fields = _fields(value, "BitArray", ("array", "num_bits"))
    array, num_bits = fields["array"], fields["num_bits"]
    if not isinstance(array, np.ndarray) or array.dtype != np.uint8:
        raise DecodeError("'array' must be a uint8 ndarray", tag="BitArray")
    if not _is_int(num_bits) or num_bits < 0:
        raise DecodeError("'num_bits' must be a non-negative integer", tag="BitArray")
    return BitArray(array, num_bits)


def _data_bin(value: Any, limits: DecodeLimits) -> DataBin:
    fields = _fields(value, "DataBin", ("fields",), ("field_names", "shape"))
    contents = fields["fields"]
    if not isinstance(contents, dict):
        raise DecodeError("'fields' must be an object", tag="DataBin")
    bad = [name for name in contents if name.startswith("__")]
    if bad:
        raise DecodeError(f"field name {bad[0][:40]!r} is not allowed", tag="DataBin")
    shape = fields.get("shape")
    return DataBin(shape=() if shape is None else _shape(shape, limits, "DataBin"), **contents)


def _pub_result(value: Any, cls: type[PubResult], tag: str) -> PubResult:
    fields = _fields(value, tag, ("data",), ("metadata",))
    if not isinstance(fields["data"], DataBin):
        raise DecodeError("'data' must be a DataBin", tag=tag)
    return cls(fields["data"], _metadata(fields.get("metadata"), tag))


def _primitive_result(value: Any) -> PrimitiveResult:
    tag = "PrimitiveResult"
    fields = _fields(value, tag, ("pub_results",), ("metadata",))
    results = fields["pub_results"]
    if not isinstance(results, list) or not all(isinstance(r, PubResult) for r in results):
        raise DecodeError("'pub_results' must be a list of pub results", tag=tag)
    return PrimitiveResult(results, _metadata(fields.get("metadata"), tag))


def _execution_spans(value: Any, tag: str) -> spans.ExecutionSpans:
    members = _fields(value, tag, ("spans",))["spans"]
    if not isinstance(members, list) or not all(
        isinstance(span, spans.ExecutionSpan) for span in members
    ):
        raise DecodeError("'spans' must be a list of execution spans", tag=tag)
    return spans.ExecutionSpans(members)


def _span(value: Any, tag: str, limits: DecodeLimits) -> spans.ExecutionSpan:
    cls, layout = _SPAN_LAYOUTS[tag]
    fields = _fields(value, tag, ("start", "stop", "data_slices"))
    start, stop, slices = fields["start"], fields["stop"], fields["data_slices"]
    if not isinstance(start, datetime) or not isinstance(stop, datetime):
        raise DecodeError("'start' and 'stop' must be datetimes", tag=tag)
    if not isinstance(slices, dict):
        raise DecodeError("'data_slices' must be an object", tag=tag)
    entries = {}
    for index, flat in slices.items():
        if not (isinstance(index, str) and index.isdigit()):
            raise DecodeError(f"pub index {index[:20]!r} is not an integer", tag=tag)
        entries[int(index)] = _slice_entry(flat, layout, limits, tag)
    return cls(start, stop, entries)


def _slice_entry(flat: Any, layout: str, limits: DecodeLimits, tag: str) -> tuple[Any, ...]:
    """One ``data_slices`` entry from its flat wire list, following ``layout``."""
    size = len(layout) + layout.count("l")
    if not isinstance(flat, list) or len(flat) != size:
        raise DecodeError(f"a data slice must be a list of {size} items", tag=tag)
    items = iter(flat)
    entry: list[Any] = []
    for kind in layout:
        item = next(items)
        if kind == "s":
            entry.append(_shape(item, limits, tag))
        elif kind == "b":
            if not isinstance(item, bool):
                raise DecodeError("expected true or false in a data slice", tag=tag)
            entry.append(item)
        elif kind == "i":
            if not _is_int(item) or item < 0:
                raise DecodeError("pub shots must be a non-negative integer", tag=tag)
            entry.append(item)
        else:
            stop = next(items)
            if not all(bound is None or _is_int(bound) for bound in (item, stop)):
                raise DecodeError("slice bounds must be integers or null", tag=tag)
            entry.append(slice(item, stop))
    return tuple(entry)


def _pauli_lindblad_map(value: Any) -> PauliLindbladMap:
    tag = "PauliLindbladMap"
    fields = _fields(value, tag, ("paulis", "num_qubits"))
    paulis, num_qubits = fields["paulis"], fields["num_qubits"]
    if not _is_int(num_qubits) or num_qubits < 0:
        raise DecodeError("'num_qubits' must be a non-negative integer", tag=tag)
    if not isinstance(paulis, list) or not all(
        isinstance(term, list) and len(term) == 3 for term in paulis
    ):
        raise DecodeError("'paulis' must be a list of [paulis, qubits, rate]", tag=tag)
    return PauliLindbladMap.from_sparse_list([tuple(term) for term in paulis], num_qubits)
