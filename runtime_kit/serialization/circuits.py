"""Circuits, instructions and parameters, which travel as QPY.

Compatibility (see docs/wire-format.md):

* Reading: every QPY the legacy encoders wrote (circuit files of QPY 3 to 10 and the bare
  parameter-expression records, whose expression is a sympy ``srepr`` string) loads here.
* Writing: qiskit 2 cannot write QPY older than 13, which legacy readers (QPY <= 10) cannot
  load, so circuits, instructions and parameter *expressions* are the one gap.  Circuits are
  written at the oldest QPY version this qiskit can write, so older qiskit 1.x readers load
  them.  A bare ``Parameter`` (or ``ParameterVectorElement``) is written in the legacy record
  layout, which every decoder, legacy or new, reads.
"""

from __future__ import annotations

import io
import struct
import uuid
from typing import Any

from qiskit import qpy
from qiskit.circuit import (
    Instruction,
    Parameter,
    ParameterExpression,
    ParameterVector,
    ParameterVectorElement,
    QuantumCircuit,
    QuantumRegister,
)
from qiskit.qpy import formats, type_keys
from qiskit.qpy.binary_io import value as qpy_value
from qiskit.qpy.binary_io.parse_sympy_repr import parse_sympy_repr
from qiskit.qpy.exceptions import QpyError, UnsupportedFeatureForVersion

from runtime_kit.errors import DecodeError
from runtime_kit.serialization.binary import compress, from_base64, inflate, to_base64
from runtime_kit.serialization.limits import DecompressionBudget

#: The QPY version written for expressions, marked on the wire as ``__qpy_version__``
#: because a bare expression record carries no version of its own.
EXPRESSION_QPY_VERSION = qpy.QPY_COMPATIBILITY_VERSION

_QPY_ERRORS = (
    QpyError,
    struct.error,
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    EOFError,
    UnicodeDecodeError,
    AttributeError,
)


def encode_circuit(circuit: QuantumCircuit) -> str:
    buffer = io.BytesIO()
    try:
        qpy.dump(circuit, buffer, version=qpy.QPY_COMPATIBILITY_VERSION)
    except UnsupportedFeatureForVersion:
        buffer = io.BytesIO()
        qpy.dump(circuit, buffer)
    return to_base64(compress(buffer.getvalue()))


def decode_circuit(value: Any, budget: DecompressionBudget, *, tag: str) -> QuantumCircuit:
    raw = inflate(from_base64(value, tag=tag), budget, tag=tag)
    try:
        circuits = qpy.load(io.BytesIO(raw))
    except _QPY_ERRORS as exc:
        raise DecodeError(f"invalid QPY circuit ({exc})", tag=tag) from exc
    if len(circuits) != 1 or not isinstance(circuits[0], QuantumCircuit):
        raise DecodeError("QPY data must hold exactly one circuit", tag=tag)
    return circuits[0]


def encode_instruction(instruction: Instruction) -> str:
    register = QuantumRegister(instruction.num_qubits)
    circuit = QuantumCircuit(register)
    if instruction.num_clbits:
        from qiskit.circuit import ClassicalRegister

        clbits = ClassicalRegister(instruction.num_clbits)
        circuit.add_register(clbits)
        circuit.append(instruction, register, clbits)
    else:
        circuit.append(instruction, register)
    return encode_circuit(circuit)


def decode_instruction(value: Any, budget: DecompressionBudget, *, tag: str) -> Instruction:
    circuit = decode_circuit(value, budget, tag=tag)
    if not circuit.data:
        raise DecodeError("instruction circuit is empty", tag=tag)
    return circuit.data[0].operation


def encode_symbol(symbol: Parameter) -> str:
    """A ``Parameter`` as a legacy parameter-expression record: ``Symbol('name')``."""
    if isinstance(symbol, ParameterVectorElement):
        key, record = (
            type_keys.Value.PARAMETER_VECTOR,
            _record(qpy_value._write_parameter_vec, symbol),
        )
    else:
        key, record = type_keys.Value.PARAMETER, _record(qpy_value._write_parameter, symbol)
    expression = f"Symbol({symbol.name!r})".encode()
    header = struct.pack(formats.PARAMETER_EXPR_PACK, 1, len(expression))
    element = struct.pack(formats.PARAM_EXPR_MAP_ELEM_V3_PACK, key, key, 0)
    return to_base64(header + expression + element + record)


def encode_expression(expression: ParameterExpression) -> str:
    buffer = io.BytesIO()
    qpy_value._write_parameter_expression(buffer, expression, False, version=EXPRESSION_QPY_VERSION)
    return to_base64(buffer.getvalue())


def decode_expression(
    value: Any, vectors: dict[Any, Any], qpy_version: Any, *, tag: str
) -> ParameterExpression:
    """Read an expression record: legacy layout when ``qpy_version`` is None."""
    stream = io.BytesIO(from_base64(value, tag=tag))
    try:
        if qpy_version is None:
            expression = _read_legacy_expression(stream, vectors)
        elif isinstance(qpy_version, int) and 13 <= qpy_version <= qpy.QPY_VERSION:
            expression = qpy_value._read_parameter_expression_v13(stream, vectors, qpy_version)
        else:
            raise DecodeError(f"unsupported __qpy_version__ {qpy_version!r}", tag=tag)
    except _QPY_ERRORS as exc:
        raise DecodeError(f"invalid QPY parameter expression ({exc})", tag=tag) from exc
    # A lone symbol comes back as the Parameter it was (the legacy provider sent
    # Parameters under this tag too).
    if len(expression.parameters) == 1:
        (symbol,) = expression.parameters
        if expression == symbol:
            return symbol
    return expression


def decode_parameter(value: Any, *, tag: str) -> Parameter:
    stream = io.BytesIO(from_base64(value, tag=tag))
    try:
        return qpy_value._read_parameter(stream)
    except _QPY_ERRORS as exc:
        raise DecodeError(f"invalid QPY parameter ({exc})", tag=tag) from exc


def _read_legacy_expression(stream: io.BytesIO, vectors: dict[Any, Any]) -> Any:
    """Read a legacy (QPY 3-10) expression record: a sympy ``srepr`` plus its symbols.

    qiskit's own reader finds an element's vector from its uuid, but legacy elements had
    unrelated uuids, so each element would get a vector of its own.  Here, as the legacy
    reader did, a document's elements share one vector per (name, length).  (Only
    ``Parameter``/``ParameterVectorElement`` symbols occur in these records.)
    """
    header = formats.PARAMETER_EXPR._make(
        struct.unpack(formats.PARAMETER_EXPR_PACK, _read(stream, formats.PARAMETER_EXPR_SIZE))
    )
    sympy_repr = _read(stream, header.expr_size).decode("utf-8")
    name_map: dict[str, Any] = {}
    for _ in range(header.map_elements):
        element = formats.PARAM_EXPR_MAP_ELEM_V3._make(
            struct.unpack(
                formats.PARAM_EXPR_MAP_ELEM_V3_PACK,
                _read(stream, formats.PARAM_EXPR_MAP_ELEM_V3_SIZE),
            )
        )
        symbol_type = type_keys.Value(element.symbol_type)
        if symbol_type == type_keys.Value.PARAMETER:
            symbol = qpy_value._read_parameter(stream)
        elif symbol_type == type_keys.Value.PARAMETER_VECTOR:
            symbol = _read_legacy_vector_element(stream, vectors)
        else:
            raise QpyError(f"invalid symbol type {symbol_type!r}")
        if type_keys.Value(element.type) not in (
            type_keys.Value.PARAMETER,
            type_keys.Value.PARAMETER_VECTOR,
        ):
            raise QpyError("symbols bound to values are not supported in legacy expressions")
        _read(stream, element.size)
        name_map[symbol.name] = symbol
    return parse_sympy_repr(sympy_repr, name_map)


def _read_legacy_vector_element(stream: io.BytesIO, vectors: dict[Any, Any]) -> Any:
    record = formats.PARAMETER_VECTOR_ELEMENT._make(
        struct.unpack(
            formats.PARAMETER_VECTOR_ELEMENT_PACK,
            _read(stream, formats.PARAMETER_VECTOR_ELEMENT_SIZE),
        )
    )
    name = _read(stream, record.vector_name_size).decode("utf-8")
    if record.index >= record.vector_size:
        raise QpyError(f"element {record.index} of a vector of {record.vector_size}")
    key = ("by-name", name, record.vector_size)
    if key not in vectors:
        # Today's elements have uuid = vector uuid + index, so one document of ours rebuilds
        # the very same vector; legacy ones had random uuids and share the first one's.
        root = uuid.UUID(int=(uuid.UUID(bytes=record.uuid).int - record.index) % 2**128)
        vectors[key] = ParameterVector(name, record.vector_size, uuid=root)
    return vectors[key][record.index]


def _read(stream: io.BytesIO, size: int) -> bytes:
    data = stream.read(size)
    if len(data) != size:
        raise QpyError("record is truncated")
    return data


def _record(writer: Any, obj: Any) -> bytes:
    buffer = io.BytesIO()
    writer(buffer, obj)
    return buffer.getvalue()
