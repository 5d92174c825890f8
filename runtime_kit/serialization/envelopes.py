"""Check encoded values without building them: fast, and without numpy or qiskit.

``validate`` looks at example inputs on every commit; decoding a circuit there would import
qiskit.  Each ``{"__type__", "__value__"}`` object is checked as far as the standard library
can: the value has the right JSON type, base64 is valid, zlib streams inflate (within the
decode limits) to the right kind of payload (QPY, .npy, .npz), ``settings`` name an allowed
class.  What passes here can still fail a full decode (a QPY body that is corrupt inside).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from runtime_kit.errors import DecodeError
from runtime_kit.serialization.binary import from_base64, inflate
from runtime_kit.serialization.limits import DecodeLimits, DecompressionBudget

Keys = tuple[str | int, ...]

_QPY_MAGIC = b"QISKIT"
_NPY_MAGIC = b"\x93NUMPY"
_NPZ_MAGIC = b"PK\x03\x04"


def envelope_problems(
    document: Any,
    *,
    limits: DecodeLimits | None = None,
    allowed_settings: Mapping[str, object] | None = None,
) -> list[tuple[Keys, str]]:
    """Every encoded value in the parsed JSON ``document`` that cannot be decoded, as
    (keys leading to it, reason).  ``allowed_settings`` defaults to the decoder's."""
    checker = _EnvelopeChecker(DecompressionBudget(limits or DecodeLimits()), allowed_settings)
    return list(checker.walk(document, ()))


class _EnvelopeChecker:
    def __init__(self, budget: DecompressionBudget, allowed: Mapping[str, object] | None) -> None:
        self._budget = budget
        self._allowed = allowed
        self._decoder: Any = None  # for datetime/complex/set, built on first use
        self._checks: dict[str, Callable[[Any, dict[str, Any]], None]] = {
            "datetime": self._with_decoder,
            "complex": self._with_decoder,
            "set": self._with_decoder,
            "to_json": lambda value, obj: None,
            "ndarray": self._ndarray,
            "QuantumCircuit": self._qpy,
            "Instruction": self._qpy,
            "Parameter": self._base64,
            "ParameterExpression": self._base64,
            "spmatrix": self._spmatrix,
            "Result": self._object,
            "NoiseModel": self._object,
            "settings": self._settings,
        }

    def walk(self, value: Any, keys: Keys) -> Iterator[tuple[Keys, str]]:
        if isinstance(value, list):
            for index, item in enumerate(value):
                yield from self.walk(item, (*keys, index))
            return
        if not isinstance(value, dict):
            return
        tag = value.get("__type__")
        check = self._checks.get(tag) if isinstance(tag, str) else None
        if check is None:  # plain object, or an unknown tag (decoded as a plain dict)
            for key, item in value.items():
                yield from self.walk(item, (*keys, key))
            return
        if "__value__" not in value:
            yield keys, f"'{tag}' value has no '__value__'"
            return
        try:
            check(value["__value__"], value)
        except DecodeError as exc:
            yield keys, str(exc)
            return
        if tag in ("set", "ndarray") and isinstance(value["__value__"], list):
            yield from self.walk(value["__value__"], keys)

    def _with_decoder(self, value: Any, obj: dict[str, Any]) -> None:
        if self._decoder is None:
            from runtime_kit.serialization.decoder import RuntimeDecoder

            self._decoder = RuntimeDecoder()
        self._decoder.object_hook(dict(obj))

    def _binary(self, value: Any, tag: str, magic: bytes, kind: str) -> None:
        raw = inflate(from_base64(value, tag=tag), self._budget, tag=tag)
        if not raw.startswith(magic):
            raise DecodeError(f"the compressed payload is not {kind}", tag=tag)

    def _ndarray(self, value: Any, obj: dict[str, Any]) -> None:
        if not isinstance(value, list):
            self._binary(value, "ndarray", _NPY_MAGIC, "a .npy array")

    def _qpy(self, value: Any, obj: dict[str, Any]) -> None:
        self._binary(value, obj["__type__"], _QPY_MAGIC, "QPY")

    def _base64(self, value: Any, obj: dict[str, Any]) -> None:
        if not from_base64(value, tag=obj["__type__"]):
            raise DecodeError("empty payload", tag=obj["__type__"])

    def _spmatrix(self, value: Any, obj: dict[str, Any]) -> None:
        if not from_base64(value, tag="spmatrix").startswith(_NPZ_MAGIC):
            raise DecodeError("the payload is not a .npz archive", tag="spmatrix")

    def _object(self, value: Any, obj: dict[str, Any]) -> None:
        if not isinstance(value, dict):
            raise DecodeError("expected an object", tag=obj["__type__"])

    def _settings(self, value: Any, obj: dict[str, Any]) -> None:
        module, name = obj.get("__module__"), obj.get("__class__")
        if not isinstance(module, str) or not isinstance(name, str):
            raise DecodeError("__module__ and __class__ must be strings", tag="settings")
        if not isinstance(value, dict):
            raise DecodeError("__value__ must be an object of settings", tag="settings")
        if self._allowed is None:
            from runtime_kit.serialization.settings import DEFAULT_SETTINGS_CLASSES

            self._allowed = DEFAULT_SETTINGS_CLASSES
        if f"{module}.{name}" not in self._allowed:
            raise DecodeError(f"class {module}.{name} is not on the settings allow-list")
