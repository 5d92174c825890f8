"""The legacy wire format (``{"__type__", "__value__"}``) over the environment's own qiskit,
numpy and scipy, for environments without a provider: encoded as qiskit-ibmq-provider 0.20
and qiskit-ibm-runtime 0.9 wrote it, decoded as they read it (reference §5).

``settings`` objects are rebuilt only from qiskit's own packages (``qiskit``, ``qiskit_*``):
the document names a class, the decoder never imports anything else.
"""

from __future__ import annotations

import base64
import copy
import datetime
import importlib
import io
import json
import warnings
import zlib
from collections.abc import Callable
from typing import Any

#: Packages whose classes a ``settings`` object may name.
SETTINGS_PACKAGES = ("qiskit",)


def _encode_binary(write: Callable[[Any], None], compress: bool = True) -> str:
    buffer = io.BytesIO()
    write(buffer)
    data = buffer.getvalue()
    if compress:
        data = zlib.compress(data)
    return base64.standard_b64encode(data).decode("ascii")


def _decode_binary(text: str, compress: bool = True) -> io.BytesIO:
    data = base64.standard_b64decode(text)
    if compress:
        data = zlib.decompress(data)
    return io.BytesIO(data)


def _qpy() -> Any:
    try:
        return importlib.import_module("qiskit.qpy")
    except ImportError:  # qiskit-terra < 0.21
        return importlib.import_module("qiskit.circuit.qpy_serialization")


def _qpy_function(*names: str) -> Callable[..., Any]:
    """The first of the QPY record functions that this qiskit has (they moved between
    releases)."""
    for name in names:
        module_name, _, attribute = name.rpartition(".")
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        found = getattr(module, attribute, None)
        if found is not None:
            return found  # type: ignore[no-any-return]
    raise TypeError(f"this qiskit has none of {', '.join(names)}")


def _with_int_key_markers(value: Any) -> Any:
    if isinstance(value, dict):
        marked = {key: _with_int_key_markers(item) for key, item in value.items()}
        if any(isinstance(key, int) for key in value):
            marked["__int_keys__"] = True
        return marked
    if isinstance(value, (list, tuple)):
        return type(value)(_with_int_key_markers(item) for item in value)
    return value


class RuntimeEncoder(json.JSONEncoder):
    """JSON encoder of the legacy wire format (reference §5.1, checked in its order)."""

    def default(self, obj: Any) -> Any:
        if isinstance(obj, datetime.date):
            return {"__type__": "datetime", "__value__": obj.isoformat()}
        if isinstance(obj, complex):
            return {"__type__": "complex", "__value__": [obj.real, obj.imag]}
        numpy = _optional("numpy")
        if numpy is not None:
            if isinstance(obj, numpy.ndarray):
                if obj.dtype == object:
                    return {"__type__": "ndarray", "__value__": obj.tolist()}
                value = _encode_binary(lambda b: numpy.save(b, obj, allow_pickle=False))
                return {"__type__": "ndarray", "__value__": value}
            if isinstance(obj, numpy.generic):
                return obj.item()
        if isinstance(obj, set):
            return {"__type__": "set", "__value__": list(obj)}
        qiskit_types = _qiskit_types()
        if qiskit_types.result is not None and isinstance(obj, qiskit_types.result):
            return {"__type__": "Result", "__value__": obj.to_dict()}
        if hasattr(obj, "to_json"):
            return {"__type__": "to_json", "__value__": obj.to_json()}
        if qiskit_types.circuit is not None and isinstance(obj, qiskit_types.circuit):
            value = _encode_binary(lambda b: _qpy().dump(obj, b))
            return {"__type__": "QuantumCircuit", "__value__": value}
        if qiskit_types.parameter is not None and isinstance(obj, qiskit_types.parameter):
            write = _qpy_function(
                "qiskit.qpy.binary_io.value._write_parameter",
                "qiskit.circuit.qpy_serialization._write_parameter",
            )
            value = _encode_binary(lambda b: write(b, obj), compress=False)
            return {"__type__": "Parameter", "__value__": value}
        if qiskit_types.expression is not None and isinstance(obj, qiskit_types.expression):
            write = _qpy_function(
                "qiskit.qpy.binary_io.value._write_parameter_expression",
                "qiskit.circuit.qpy_serialization._write_parameter_expression",
            )
            value = _encode_binary(lambda b: write(b, obj), compress=False)
            return {"__type__": "ParameterExpression", "__value__": value}
        if qiskit_types.view is not None and isinstance(obj, qiskit_types.view):
            return list(obj)
        if qiskit_types.instruction is not None and isinstance(obj, qiskit_types.instruction):
            from qiskit.circuit import QuantumCircuit, QuantumRegister

            circuit = QuantumCircuit(QuantumRegister(obj.num_qubits))
            circuit.append(obj, list(range(obj.num_qubits)))
            value = _encode_binary(lambda b: _qpy().dump(circuit, b))
            return {"__type__": "Instruction", "__value__": value}
        if hasattr(obj, "settings"):
            return {
                "__type__": "settings",
                "__module__": obj.__class__.__module__,
                "__class__": obj.__class__.__name__,
                "__value__": _with_int_key_markers(copy.deepcopy(obj.settings)),
            }
        if callable(obj):
            warnings.warn(
                f"Callable {obj} is not JSON serializable and will be set to None.", stacklevel=2
            )
            return None
        sparse = _optional("scipy.sparse")
        if sparse is not None and isinstance(obj, sparse.spmatrix):
            value = _encode_binary(lambda b: sparse.save_npz(b, obj), compress=False)
            return {"__type__": "spmatrix", "__value__": value}
        return super().default(obj)


class RuntimeDecoder(json.JSONDecoder):
    """JSON decoder of the legacy wire format (reference §5.2); unknown tags stay dicts."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, object_hook=self.object_hook, **kwargs)
        self._vectors: dict[Any, Any] = {}

    def object_hook(self, obj: Any) -> Any:
        if "__type__" not in obj or "__value__" not in obj:
            return _restore_int_keys(obj)
        tag, value = obj["__type__"], obj["__value__"]
        if tag == "datetime":
            return datetime.datetime.fromisoformat(value)
        if tag == "complex":
            return value[0] + 1j * value[1]
        if tag == "ndarray":
            import numpy

            if isinstance(value, list):
                return numpy.array(value)
            return numpy.load(_decode_binary(value), allow_pickle=False)
        if tag == "set":
            return set(value)
        if tag == "QuantumCircuit":
            return _qpy().load(_decode_binary(value))[0]
        if tag == "Instruction":
            entry = _qpy().load(_decode_binary(value))[0].data[0]
            return getattr(entry, "operation", None) or entry[0]
        if tag == "Parameter":
            read = _qpy_function(
                "qiskit.qpy.binary_io.value._read_parameter",
                "qiskit.circuit.qpy_serialization._read_parameter",
            )
            return read(_decode_binary(value, compress=False))
        if tag == "ParameterExpression":
            return _read_expression(_decode_binary(value, compress=False), self._vectors)
        if tag == "settings":
            return _rebuild(obj.get("__module__"), obj.get("__class__"), value)
        if tag == "Result":
            from qiskit.result import Result

            return Result.from_dict(value)
        if tag == "spmatrix":
            from scipy.sparse import load_npz

            return load_npz(_decode_binary(value, compress=False))
        if tag == "NoiseModel":
            from qiskit_aer.noise import NoiseModel

            return NoiseModel.from_dict(value)
        if tag == "to_json":
            return value
        return obj


def _read_expression(buffer: io.BytesIO, vectors: dict[Any, Any]) -> Any:
    try:
        read_v3 = _qpy_function(
            "qiskit.qpy.binary_io.value._read_parameter_expression_v3",
            "qiskit.circuit.qpy_serialization._read_parameter_expression_v3",
        )
    except TypeError:
        read = _qpy_function(
            "qiskit.qpy.binary_io.value._read_parameter_expression",
            "qiskit.circuit.qpy_serialization._read_parameter_expression",
        )
        return read(buffer)
    return read_v3(buffer, vectors)


def _rebuild(module_name: Any, class_name: Any, settings: Any) -> Any:
    if not isinstance(module_name, str) or not isinstance(class_name, str):
        raise ValueError("a 'settings' value needs __module__ and __class__ strings")
    top = module_name.split(".")[0]
    if not any(top == p or top.startswith(p + "_") for p in SETTINGS_PACKAGES):
        raise ValueError(
            f"a 'settings' value names {module_name}.{class_name}: only qiskit's own classes "
            "are rebuilt"
        )
    module = importlib.import_module(module_name)
    cls = getattr(module, class_name, None)
    if not isinstance(cls, type):
        raise ValueError(f"{module_name} has no class {class_name}")
    return cls(**settings)


def _restore_int_keys(obj: dict[Any, Any]) -> dict[Any, Any]:
    if not obj.pop("__int_keys__", False):
        return obj
    restored = {}
    for key, value in obj.items():
        try:
            restored[int(key)] = value
        except (TypeError, ValueError):
            restored[key] = value
    return restored


class _QiskitTypes:
    def __init__(self) -> None:
        self.result = _attribute("qiskit.result", "Result")
        self.circuit = _attribute("qiskit.circuit", "QuantumCircuit")
        self.parameter = _attribute("qiskit.circuit", "Parameter")
        self.expression = _attribute("qiskit.circuit", "ParameterExpression")
        self.view = _attribute("qiskit.circuit.parametertable", "ParameterView")
        self.instruction = _attribute("qiskit.circuit", "Instruction")


_types: list[_QiskitTypes] = []


def _qiskit_types() -> _QiskitTypes:
    if not _types:
        _types.append(_QiskitTypes())
    return _types[0]


def _attribute(module_name: str, name: str) -> Any:
    module = _optional(module_name)
    return None if module is None else getattr(module, name, None)


def _optional(module_name: str) -> Any:
    try:
        return importlib.import_module(module_name)
    except ImportError:
        return None
