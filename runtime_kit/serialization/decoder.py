"""``RuntimeDecoder``: the runtime wire format back to Python values, without trusting it."""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from runtime_kit.errors import DecodeError, MalformedDocumentError
from runtime_kit.serialization.binary import from_base64, inflate
from runtime_kit.serialization.limits import DecodeLimits, DecompressionBudget
from runtime_kit.serialization.settings import DEFAULT_SETTINGS_CLASSES, Rebuilder, rebuild

#: qiskit-ibm-runtime's tags for V2 primitive values (serialization/primitives.py).
PRIMITIVE_TAGS = (
    "PrimitiveResult",
    "SamplerPubResult",
    "PubResult",
    "EstimatorPubResult",
    "DataBin",
    "BitArray",
    "ObservablesArray",
    "BindingsArray",
    "ExecutionSpan",
    "DoubleSliceSpan",
    "TwirledSliceSpan",
    "TwirledSliceSpanV2",
    "ExecutionSpans",
    "ExecutionSpanCollection",
    "PauliLindbladMap",
)


class RuntimeDecoder(json.JSONDecoder):
    """JSON decoder for runtime payloads, a drop-in for the legacy ``RuntimeDecoder``.

    Use it as ``json.loads(text, cls=RuntimeDecoder)``.  Unlike the legacy decoder it never
    imports a module a document names and never unpickles: ``settings`` objects are rebuilt
    only for classes in ``allowed_settings``, and binary values are inflated within ``limits``.
    Every failure is a ``DecodeError``.

    Args:
        limits: decode limits for one document (default ``DecodeLimits()``).
        allowed_settings: extra ``{"<module>.<Class>": class or "module:Class"}`` entries
            for the ``settings`` allow-list, on top of ``DEFAULT_SETTINGS_CLASSES``.
        **kwargs: passed on to ``json.JSONDecoder`` (``object_hook`` is taken).
    """

    #: Subclasses may replace this to change the allow-list for every use.
    allowed_settings: Mapping[str, Rebuilder] = DEFAULT_SETTINGS_CLASSES

    def __init__(
        self,
        *args: Any,
        limits: DecodeLimits | None = None,
        allowed_settings: Mapping[str, Rebuilder] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.pop("object_hook", None)
        super().__init__(*args, object_hook=self.object_hook, **kwargs)
        self._budget = DecompressionBudget(limits or DecodeLimits())
        self._allowed = {**self.allowed_settings, **(allowed_settings or {})}
        # ParameterVector elements spread over one document rebuild one shared vector.
        self._parameter_vectors: dict[Any, Any] = {}
        self._handlers: dict[str, Callable[[dict[str, Any]], Any]] = {
            "datetime": self._datetime,
            "complex": self._complex,
            "ndarray": self._ndarray,
            "set": self._set,
            "Result": self._result,
            "to_json": self._to_json,
            "QuantumCircuit": self._circuit,
            "Parameter": self._parameter,
            "ParameterExpression": self._expression,
            "Instruction": self._instruction,
            "NoiseModel": self._noise_model,
            "settings": self._settings,
            "spmatrix": self._spmatrix,
            **{tag: self._primitive for tag in PRIMITIVE_TAGS},
        }
        self._primitives: dict[str, Callable[[Any], Any]] | None = None  # built on first use

    def decode(self, s: str, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().decode(s, *args, **kwargs)
        except DecodeError:
            raise
        except json.JSONDecodeError as exc:
            raise MalformedDocumentError(exc.msg, exc.doc, exc.pos) from exc
        except RecursionError as exc:
            raise DecodeError("document is nested too deeply") from exc
        except MemoryError as exc:
            raise DecodeError("document does not fit in memory") from exc

    def object_hook(self, obj: dict[str, Any]) -> Any:
        """Turn one ``{"__type__", "__value__"}`` object into its value; others pass."""
        tag = obj.get("__type__")
        if tag is None:
            return obj
        handler = self._handlers.get(tag) if isinstance(tag, str) else None
        if handler is None:
            return obj  # an unknown tag stays a plain dict, as the legacy decoder left it
        if "__value__" not in obj:
            raise DecodeError("'__value__' is missing", tag=tag)
        try:
            return handler(obj)
        except DecodeError:
            raise
        except Exception as exc:
            raise DecodeError(f"cannot decode ({type(exc).__name__}: {exc})", tag=tag) from exc

    def _datetime(self, obj: dict[str, Any]) -> datetime:
        value = obj["__value__"]
        if not isinstance(value, str):
            raise DecodeError("expected an ISO 8601 string", tag="datetime")
        try:
            return datetime.fromisoformat(value)
        except ValueError as exc:
            raise DecodeError(f"invalid ISO 8601 date {value[:40]!r}", tag="datetime") from exc

    def _complex(self, obj: dict[str, Any]) -> complex:
        value = obj["__value__"]
        if (
            not isinstance(value, list)
            or len(value) != 2
            or not all(
                isinstance(part, int | float) and not isinstance(part, bool) for part in value
            )
        ):
            raise DecodeError("expected [real, imag] numbers", tag="complex")
        return complex(value[0], value[1])

    def _ndarray(self, obj: dict[str, Any]) -> Any:
        from runtime_kit.serialization import arrays

        value = obj["__value__"]
        if isinstance(value, list):
            return arrays.list_to_ndarray(value, self._budget, tag="ndarray")
        raw = inflate(from_base64(value, tag="ndarray"), self._budget, tag="ndarray")
        return arrays.npy_to_ndarray(raw, self._budget, tag="ndarray")

    def _set(self, obj: dict[str, Any]) -> set[Any]:
        value = obj["__value__"]
        if not isinstance(value, list):
            raise DecodeError("expected a list", tag="set")
        try:
            return set(value)
        except TypeError as exc:
            raise DecodeError(f"set members must be hashable ({exc})", tag="set") from exc

    def _result(self, obj: dict[str, Any]) -> Any:
        from qiskit.result import Result

        value = obj["__value__"]
        if not isinstance(value, dict):
            raise DecodeError("expected an object", tag="Result")
        try:
            return Result.from_dict(value)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise DecodeError(f"invalid Result ({exc!r})", tag="Result") from exc

    def _to_json(self, obj: dict[str, Any]) -> Any:
        return obj["__value__"]  # legacy behaviour: the producer's to_json text, unparsed

    def _circuit(self, obj: dict[str, Any]) -> Any:
        from runtime_kit.serialization import circuits

        return circuits.decode_circuit(obj["__value__"], self._budget, tag="QuantumCircuit")

    def _parameter(self, obj: dict[str, Any]) -> Any:
        from runtime_kit.serialization import circuits

        return circuits.decode_parameter(obj["__value__"], tag="Parameter")

    def _expression(self, obj: dict[str, Any]) -> Any:
        from runtime_kit.serialization import circuits

        return circuits.decode_expression(
            obj["__value__"],
            self._parameter_vectors,
            obj.get("__qpy_version__"),
            tag="ParameterExpression",
        )

    def _instruction(self, obj: dict[str, Any]) -> Any:
        from runtime_kit.serialization import circuits

        return circuits.decode_instruction(obj["__value__"], self._budget, tag="Instruction")

    def _noise_model(self, obj: dict[str, Any]) -> Any:
        value = obj["__value__"]
        try:
            from qiskit_aer.noise import NoiseModel
        except ImportError:
            warnings.warn("Qiskit Aer is needed to restore noise model.", stacklevel=2)
            return value
        if not isinstance(value, dict):
            raise DecodeError("expected an object", tag="NoiseModel")
        try:
            with warnings.catch_warnings():
                # Aer deprecates from_dict without a replacement; the wire format needs it.
                warnings.simplefilter("ignore", DeprecationWarning)
                return NoiseModel.from_dict(value)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise DecodeError(f"invalid noise model ({exc!r})", tag="NoiseModel") from exc

    def _settings(self, obj: dict[str, Any]) -> Any:
        return rebuild(obj.get("__module__"), obj.get("__class__"), obj["__value__"], self._allowed)

    def _primitive(self, obj: dict[str, Any]) -> Any:
        if self._primitives is None:
            from runtime_kit.serialization import primitives

            self._primitives = primitives.decoders(self._budget.limits)
        return self._primitives[obj["__type__"]](obj["__value__"])

    def _spmatrix(self, obj: dict[str, Any]) -> Any:
        from runtime_kit.serialization.arrays import npz_to_sparse

        raw = from_base64(obj["__value__"], tag="spmatrix")
        return npz_to_sparse(raw, self._budget, tag="spmatrix")
