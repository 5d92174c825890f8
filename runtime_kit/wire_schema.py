"""JSON Schema checks of wire-format values, aware of what the ``__type__`` objects encode.

A program declares its inputs, interim results and return value with JSON Schemas, but the
values travel encoded: an ndarray is ``{"__type__": "ndarray", ...}``, not a JSON array.
Here an encoded ndarray or set counts as an ``array`` (with its length, when known), an
encoded datetime as a ``string``, and any other encoded value (circuit, Result, operator...)
as an ``object``, so a schema written for the decoded values checks the encoded ones.
Nothing is decoded: this runs without numpy or qiskit.
"""

from __future__ import annotations

import ast
import base64
import binascii
import functools
import json
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

_NPY_MAGIC = b"\x93NUMPY"


@dataclass(frozen=True)
class SchemaViolation:
    """One way a value fails its schema; ``path`` is JSONPath-like, e.g. ``$.shots``."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class EncodedValue:
    """Stand-in for an encoded value while checking; it has a length but no visible items."""

    def __init__(self, envelope: Mapping[str, Any], *, length: int = 0) -> None:
        self.tag = envelope["__type__"]
        self.envelope = envelope
        self.length = length

    def __iter__(self) -> Iterator[Any]:
        return iter(())

    def __len__(self) -> int:
        return self.length

    def __contains__(self, item: object) -> bool:
        return False

    def __eq__(self, other: object) -> bool:
        return isinstance(other, EncodedValue) and other.envelope == self.envelope

    def __hash__(self) -> int:
        return hash(self.tag)

    def __repr__(self) -> str:
        return f"<encoded {self.tag}>"


def wire_view(value: Any) -> Any:
    """The value as schema checks should see it (encoded objects replaced by their view)."""
    if isinstance(value, list):
        return [wire_view(item) for item in value]
    if not isinstance(value, dict):
        return value
    tag = value.get("__type__")
    if not isinstance(tag, str) or "__value__" not in value:
        return {key: wire_view(item) for key, item in value.items()}
    payload = value["__value__"]
    if tag in ("set", "ndarray") and isinstance(payload, list):
        return wire_view(payload)
    if tag == "datetime" and isinstance(payload, str):
        return payload
    if tag == "ndarray" and isinstance(payload, str):
        return EncodedValue(value, length=_npy_length(payload))
    return EncodedValue(value)


def check(value: Any, schema: Mapping[str, Any]) -> list[SchemaViolation]:
    """Every way the wire-format ``value`` fails ``schema`` (empty when it passes)."""
    validator = _validator_class(json.dumps(schema.get("$schema", "")))(schema)
    violations = [
        SchemaViolation(_json_path(error.absolute_path), error.message)
        for error in validator.iter_errors(wire_view(value))
    ]
    return sorted(violations, key=lambda v: (v.path, v.message))


def check_python(value: Any, schema: Mapping[str, Any]) -> list[SchemaViolation]:
    """Like ``check`` for a Python value: it is encoded first, as it would travel."""
    from runtime_kit.serialization import RuntimeEncoder

    return check(json.loads(json.dumps(value, cls=RuntimeEncoder)), schema)


def _json_path(parts: Any) -> str:
    path = "$"
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


@functools.cache
def _validator_class(schema_uri_json: str) -> Any:
    import jsonschema

    uri = json.loads(schema_uri_json)
    base = jsonschema.validators.validator_for(
        {"$schema": uri} if uri else {}, default=jsonschema.Draft201909Validator
    )
    checker = base.TYPE_CHECKER.redefine_many(
        {
            "array": lambda _, v: (
                isinstance(v, list) or (isinstance(v, EncodedValue) and v.tag in ("ndarray", "set"))
            ),
            "object": lambda _, v: isinstance(v, dict | EncodedValue),
        }
    )
    return jsonschema.validators.extend(base, type_checker=checker)


def _npy_length(payload: str) -> int:
    """First dimension of an encoded ``.npy`` array, read from its header alone."""
    try:
        head = zlib.decompressobj().decompress(base64.b64decode(payload[:8192]), 4096)
        if not head.startswith(_NPY_MAGIC):
            return 0
        header_len = int.from_bytes(head[8:10] if head[6] == 1 else head[8:12], "little")
        start = 10 if head[6] == 1 else 12
        header = ast.literal_eval(head[start : start + header_len].decode("latin1"))
        shape = header["shape"]
        return int(shape[0]) if shape else 1
    except (
        binascii.Error,
        zlib.error,
        ValueError,
        SyntaxError,
        KeyError,
        TypeError,
        IndexError,
        MemoryError,
    ):
        return 0
