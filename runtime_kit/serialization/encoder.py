"""``RuntimeEncoder``: Python values to the runtime wire format (``__type__``/``__value__``)."""

from __future__ import annotations

import contextvars
import json
import secrets
import sys
import warnings
from collections.abc import Iterator
from datetime import date
from typing import Any

from runtime_kit.errors import EncodeError
from runtime_kit.serialization.binary import compress, to_base64
from runtime_kit.serialization.settings import mark_int_keys, wire_module


def envelope(tag: str, value: Any) -> dict[str, Any]:
    return {"__type__": tag, "__value__": value}


class RuntimeEncoder(json.JSONEncoder):
    """JSON encoder for runtime payloads, a drop-in for the legacy ``RuntimeEncoder``.

    Use it as ``json.dumps(obj, cls=RuntimeEncoder)``.  Types are tried in the legacy order
    (reference §5.1); numpy scalars, which the legacy encoder rejected, become plain JSON
    numbers and booleans.  A value that cannot be encoded raises ``EncodeError`` naming its
    path in the document, e.g. ``$.result["energies"][3]``.
    """

    def default(self, obj: Any) -> Any:
        encoded = _encode_known(obj)
        if encoded is not _UNKNOWN:
            return encoded
        raise EncodeError(f"{type(obj).__module__}.{type(obj).__qualname__} is not serializable")

    def encode(self, o: Any) -> str:
        binary = _DeferredBinary()
        reset = _DEFERRED.set(binary)
        try:
            text = super().encode(o)
        except TypeError as exc:
            raise _located(exc, o) from exc
        finally:
            _DEFERRED.reset(reset)
        return binary.fill(text)

    def iterencode(self, o: Any, _one_shot: bool = False) -> Iterator[str]:
        binary = _DeferredBinary()
        reset = _DEFERRED.set(binary)
        try:
            chunks = list(super().iterencode(o, _one_shot))
        except TypeError as exc:
            raise _located(exc, o) from exc
        finally:
            _DEFERRED.reset(reset)
        for chunk in chunks:
            yield binary.fill(chunk)


class _DeferredBinary:
    """Large base64 values, kept out of the JSON encoder until the text is assembled.

    json escapes every string it writes, character by character: for a 10 MB base64 value
    that costs more than the base64 itself.  Base64 never needs escaping, so the encoder
    writes a short unique token instead and ``fill`` puts the value in its place.
    """

    THRESHOLD_CHARS = 4096

    def __init__(self) -> None:
        self.prefix = f"rk-binary-{secrets.token_hex(8)}-"
        self.values: list[str] = []

    def defer(self, text: str) -> str:
        if len(text) < self.THRESHOLD_CHARS:
            return text
        self.values.append(text)
        return f"{self.prefix}{len(self.values) - 1}"

    def fill(self, text: str) -> str:
        if not self.values:
            return text
        pieces = text.split(f'"{self.prefix}')
        out = [pieces[0]]
        for piece in pieces[1:]:
            index, rest = piece.split('"', 1)
            out += ['"', self.values[int(index)], '"', rest]
        return "".join(out)


_DEFERRED: contextvars.ContextVar[_DeferredBinary | None] = contextvars.ContextVar(
    "runtime_kit_deferred_binary", default=None
)


def _binary(data_base64: str) -> str:
    deferred = _DEFERRED.get()
    return deferred.defer(data_base64) if deferred is not None else data_base64


_UNKNOWN = object()


def _encode_known(obj: Any) -> Any:
    if isinstance(obj, date):
        return envelope("datetime", obj.isoformat())
    if isinstance(obj, complex):
        return envelope("complex", [obj.real, obj.imag])
    if "numpy" in sys.modules:
        encoded = _encode_numpy(obj)
        if encoded is not _UNKNOWN:
            return encoded
    if isinstance(obj, set | frozenset):
        return envelope("set", list(obj))
    if "qiskit" in sys.modules:
        from qiskit.result import Result

        if isinstance(obj, Result):
            return envelope("Result", obj.to_dict())
    if hasattr(obj, "to_json"):
        return envelope("to_json", obj.to_json())
    if "qiskit" in sys.modules:
        encoded = _encode_qiskit(obj)
        if encoded is not _UNKNOWN:
            return encoded
    if hasattr(obj, "settings"):
        return {
            "__type__": "settings",
            "__module__": wire_module(type(obj)),
            "__class__": type(obj).__name__,
            "__value__": mark_int_keys(obj.settings),
        }
    if callable(obj):
        warnings.warn(
            f"Callable {obj} is not JSON serializable and will be set to None.",
            UserWarning,
            stacklevel=4,
        )
        return None
    if "scipy.sparse" in sys.modules:
        import scipy.sparse

        if scipy.sparse.issparse(obj):
            from runtime_kit.serialization.arrays import sparse_to_npz

            return envelope("spmatrix", _binary(to_base64(sparse_to_npz(obj))))
    return _UNKNOWN


# Types of a package that was never imported cannot occur, so each family below is only
# looked at once its package is in sys.modules: encoding plain data never imports numpy
# or qiskit.
def _encode_numpy(obj: Any) -> Any:
    import numpy as np

    if isinstance(obj, np.ndarray):
        if obj.dtype == object:
            return envelope("ndarray", obj.tolist())
        from runtime_kit.serialization.arrays import ndarray_to_npy

        return envelope("ndarray", _binary(to_base64(compress(*ndarray_to_npy(obj)))))
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return float(obj)
    if isinstance(obj, np.complexfloating):
        return envelope("complex", [float(obj.real), float(obj.imag)])
    return _UNKNOWN


def _encode_qiskit(obj: Any) -> Any:
    from qiskit.circuit import Instruction, Parameter, ParameterExpression, QuantumCircuit

    from runtime_kit.serialization import circuits

    if isinstance(obj, QuantumCircuit):
        return envelope("QuantumCircuit", _binary(circuits.encode_circuit(obj)))
    if isinstance(obj, Parameter):
        return envelope("ParameterExpression", circuits.encode_symbol(obj))
    if isinstance(obj, ParameterExpression):
        return {
            "__type__": "ParameterExpression",
            "__value__": circuits.encode_expression(obj),
            "__qpy_version__": circuits.EXPRESSION_QPY_VERSION,
        }
    if isinstance(obj, Instruction):
        return envelope("Instruction", circuits.encode_instruction(obj))
    from runtime_kit.serialization import primitives

    encoded = primitives.encode(obj)
    if encoded is not primitives.UNKNOWN:
        return encoded
    if "qiskit_aer" in sys.modules:
        from qiskit_aer.noise import NoiseModel

        if isinstance(obj, NoiseModel):
            with warnings.catch_warnings():
                # Aer deprecates to_dict without a replacement; the wire format needs it.
                warnings.simplefilter("ignore", DeprecationWarning)
                return envelope("NoiseModel", obj.to_dict())
    return _UNKNOWN


def _located(exc: TypeError, root: Any) -> EncodeError:
    _DEFERRED.set(None)  # the search below needs real values, not tokens
    message = str(exc).rsplit(" (at ", 1)[0] if isinstance(exc, EncodeError) else str(exc)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return EncodeError(message, path=_find_unencodable(root))


def _find_unencodable(root: Any) -> str:
    """JSONPath-like location of the first value in ``root`` that cannot be encoded."""
    stack: list[tuple[Any, str]] = [(root, "$")]
    while stack:
        value, path = stack.pop()
        if isinstance(value, str | int | float | bool) or value is None:
            continue
        if isinstance(value, dict):
            for key in value:
                if not isinstance(key, str | int | float | bool) and key is not None:
                    return f"{path}[{json.dumps(repr(key))}]"
            for key, item in reversed(list(value.items())):
                stack.append((item, f"{path}[{json.dumps(str(key))}]"))
            continue
        if isinstance(value, list | tuple):
            for index in reversed(range(len(value))):
                stack.append((value[index], f"{path}[{index}]"))
            continue
        encoded = _encode_known(value)
        if encoded is _UNKNOWN:
            return path
        stack.append((encoded, path))
    return "$"
