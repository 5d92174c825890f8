"""JSON Schema checks of wire-format values, aware of what the ``__type__`` objects encode.

A program declares its inputs, interim results and return value with JSON Schemas, but the
values travel encoded: an ndarray is ``{"__type__": "ndarray", ...}``, not a JSON array.
Checks here see each encoded value as the JSON its decoded value stands for: an ndarray or
set is its list of items, a datetime its ISO string, and any other encoded value (circuit,
Result, operator, complex...) an object.  Schemas are checked by jsonschema-rs.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, NamedTuple


class SchemaViolation(NamedTuple):
    """One way a value fails its schema; ``keys`` lead to it, ``path`` shows them ($.a[0])."""

    keys: tuple[str | int, ...]
    message: str
    #: The value is an encoded one that would not decode (so its schema was not checked).
    undecodable: bool = False

    @property
    def path(self) -> str:
        return "$" + "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in self.keys)

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def wire_view(value: Any) -> Any:
    """The wire-format value as schema checks should see it.

    Raises:
        DecodeError: an encoded array that cannot be decoded.
    """
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
    if tag == "ndarray":
        from runtime_kit.serialization import RuntimeDecoder

        return RuntimeDecoder().object_hook(dict(value)).tolist()
    return value


def plain(text: str) -> Any:
    """Wire-format JSON ``text`` as plain JSON data to show: ``wire_view`` of the parsed
    document, with V2 primitive results shown readable (``runtime_kit.primitives.readable``:
    counts by register, evs and stds as lists)."""
    return _shown(json.loads(text))


def _shown(value: Any) -> Any:
    if isinstance(value, list):
        return [_shown(item) for item in value]
    if not isinstance(value, dict):
        return value
    tag = value.get("__type__")
    if not isinstance(tag, str) or "__value__" not in value:
        return {key: _shown(item) for key, item in value.items()}
    from runtime_kit.primitives.readable import TAGS, readable

    if tag in TAGS:
        from runtime_kit.errors import DecodeError

        try:
            return readable(value)
        except DecodeError:
            return value
    return wire_view(value)


def check(value: Any, schema: Mapping[str, Any] | bool) -> list[SchemaViolation]:
    """Every way the wire-format ``value`` fails ``schema`` (empty when it passes)."""
    from runtime_kit.metadata.schema_validators import compile_schema, schema_errors

    errors = schema_errors(compile_schema(schema), wire_view(value))
    violations = [SchemaViolation(error.keys, error.message) for error in errors]
    return sorted(violations, key=lambda v: (v.path, v.message))


def input_problems(
    inputs: dict[str, Any], schema: Any, *, decoded_elsewhere: bool = False
) -> list[SchemaViolation]:
    """What is wrong with a program's ``inputs`` (wire format): encoded values that would not
    decode (``undecodable``; then nothing else is checked), else values failing ``schema``
    (``spec.parameters``).  A schema that is not one yields nothing: ``validate`` reports it.

    ``decoded_elsewhere``: the program has an environment of its own, whose Qiskit decodes
    its inputs (a legacy ``PauliSumOp``): a ``settings`` object of any class is taken as it
    is (checked as an object), the rest as always.
    """
    from runtime_kit.errors import DecodeError, SchemaDefinitionError
    from runtime_kit.serialization.envelopes import envelope_problems

    allowed = _ANY_CLASS if decoded_elsewhere else None
    found = envelope_problems(inputs, allowed_settings=allowed)
    broken = [SchemaViolation(k, reason, True) for k, reason in found]
    if broken or not isinstance(schema, Mapping | bool):
        return broken
    try:
        return check(inputs, schema)
    except SchemaDefinitionError:
        return []
    except DecodeError as exc:
        return [SchemaViolation((), f"cannot decode inputs: {exc}", True)]


class _AnyClass(Mapping[str, object]):
    """An allow-list of ``settings`` classes that holds every class."""

    def __contains__(self, key: object) -> bool:
        return True

    def __getitem__(self, key: str) -> object:
        return key

    def __iter__(self) -> Any:
        return iter(())

    def __len__(self) -> int:
        return 0


_ANY_CLASS = _AnyClass()


def input_label(keys: tuple[str | int, ...]) -> str:
    """How messages name an input: ``input 'weights'[0]``, or ``inputs`` for the whole."""
    if not keys:
        return "inputs"
    return "input " + repr(keys[0]) + "".join(f"[{k!r}]" for k in keys[1:])


def check_python(value: Any, schema: Mapping[str, Any] | bool) -> list[SchemaViolation]:
    """Like ``check`` for a Python value: it is encoded first, as it would travel."""
    from runtime_kit.serialization import RuntimeEncoder

    return check(json.loads(json.dumps(value, cls=RuntimeEncoder)), schema)
