"""``settings`` objects: rebuilt only for classes on an allow-list.

The legacy decoder imported whatever module a document named and called any class in it,
which lets a document run code.  Here a document's ``__module__.__class__`` is only a key
into a table; the modules imported are the table's own, never the document's.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

from runtime_kit.errors import DecodeError, UnsafeSettingsError
from runtime_kit.serialization.opflow import OPFLOW_CLASSES

#: What an allow-list entry rebuilds with: a class (or a function taking the settings as
#: keyword arguments), or ``"module:name"`` to import it on first use.
Rebuilder = str | type | Callable[..., Any]

_QI = "qiskit.quantum_info"
_OPT = "optimizers"
_OPTIMIZERS = {
    "adam_amsgrad": ["ADAM"],
    "aqgd": ["AQGD"],
    "bobyqa": ["BOBYQA"],
    "cg": ["CG"],
    "cobyla": ["COBYLA"],
    "gradient_descent": ["GradientDescent"],
    "gsls": ["GSLS"],
    "imfil": ["IMFIL"],
    "l_bfgs_b": ["L_BFGS_B"],
    "nelder_mead": ["NELDER_MEAD"],
    "nft": ["NFT"],
    "nlopts.crs": ["CRS"],
    "nlopts.direct_l": ["DIRECT_L"],
    "nlopts.direct_l_rand": ["DIRECT_L_RAND"],
    "nlopts.esch": ["ESCH"],
    "nlopts.isres": ["ISRES"],
    "p_bfgs": ["P_BFGS"],
    "powell": ["POWELL"],
    "qnspsa": ["QNSPSA"],
    "scipy_optimizer": ["SciPyOptimizer"],
    "slsqp": ["SLSQP"],
    "snobfit": ["SNOBFIT"],
    "spsa": ["SPSA"],
    "tnc": ["TNC"],
    "umda": ["UMDA"],
}
_CLASSES_BY_MODULE = {
    f"{_QI}.analysis.z2_symmetries": ["Z2Symmetries"],
    f"{_QI}.operators.channel.chi": ["Chi"],
    f"{_QI}.operators.channel.choi": ["Choi"],
    f"{_QI}.operators.channel.kraus": ["Kraus"],
    f"{_QI}.operators.channel.ptm": ["PTM"],
    f"{_QI}.operators.channel.stinespring": ["Stinespring"],
    f"{_QI}.operators.channel.superop": ["SuperOp"],
    f"{_QI}.operators.operator": ["Operator"],
    f"{_QI}.operators.symplectic.pauli": ["Pauli"],
    f"{_QI}.operators.symplectic.pauli_list": ["PauliList"],
    f"{_QI}.operators.symplectic.sparse_pauli_op": ["SparsePauliOp"],
    f"{_QI}.states.densitymatrix": ["DensityMatrix"],
    f"{_QI}.states.statevector": ["Statevector"],
    "qiskit.synthesis.evolution.lie_trotter": ["LieTrotter"],
    "qiskit.synthesis.evolution.matrix_synthesis": ["MatrixExponential"],
    "qiskit.synthesis.evolution.qdrift": ["QDrift"],
    "qiskit.synthesis.evolution.suzuki_trotter": ["SuzukiTrotter"],
    "qiskit_aer.backends.compatibility": ["DensityMatrix", "Operator", "Statevector", "SuperOp"],
    "qiskit_aer.noise.errors.pauli_error": ["PauliError"],
    "qiskit_aer.noise.errors.pauli_lindblad_error": ["PauliLindbladError"],
    "qiskit_aer.quantum_info.states.aer_densitymatrix": ["AerDensityMatrix"],
    "qiskit_aer.quantum_info.states.aer_statevector": ["AerStatevector"],
    **{f"qiskit_algorithms.{_OPT}.{module}": names for module, names in _OPTIMIZERS.items()},
}


def _default_table() -> dict[str, str]:
    table = {
        f"{module}.{name}": f"{module}:{name}"
        for module, names in _CLASSES_BY_MODULE.items()
        for name in names
    }
    # qiskit.algorithms (removed in qiskit 1.0) lives on as the qiskit_algorithms package.
    for module, names in _OPTIMIZERS.items():
        for name in names:
            table[f"qiskit.algorithms.{_OPT}.{module}.{name}"] = (
                f"qiskit_algorithms.{_OPT}.{module}:{name}"
            )
    # qiskit.opflow (removed in qiskit 1.0): its Pauli operators become SparsePauliOps.
    table.update(OPFLOW_CLASSES)
    return table


#: ``"<module>.<Class>"`` as documents name it -> what rebuilds it: ``"<module>:<name>"`` to
#: import (a class, or a function that turns a legacy class's settings into today's value).
DEFAULT_SETTINGS_CLASSES: Mapping[str, Rebuilder] = _default_table()


def wire_module(cls: type) -> str:
    """The ``__module__`` to write for ``cls``.

    qiskit_algorithms classes are written under their legacy ``qiskit.algorithms`` name,
    which legacy decoders import and this decoder maps back to qiskit_algorithms.
    """
    module = cls.__module__
    if module.startswith(f"qiskit_algorithms.{_OPT}."):
        legacy = f"qiskit.algorithms{module.removeprefix('qiskit_algorithms')}"
        if f"{legacy}.{cls.__name__}" in DEFAULT_SETTINGS_CLASSES:
            return legacy
    return module


def rebuild(module: Any, class_name: Any, settings: Any, allowed: Mapping[str, Rebuilder]) -> Any:
    if not isinstance(module, str) or not isinstance(class_name, str):
        raise DecodeError("__module__ and __class__ must be strings", tag="settings")
    if not isinstance(settings, dict):
        raise DecodeError("__value__ must be an object of settings", tag="settings")
    class_path = f"{module}.{class_name}"
    target = allowed.get(class_path)
    if target is None:
        raise UnsafeSettingsError(
            f"class {class_path} is not on the settings allow-list; pass "
            f"allowed_settings={{{class_path!r}: <class>}} to RuntimeDecoder if you trust it",
            class_path=class_path,
        )
    cls = _resolve(target, class_path) if isinstance(target, str) else target
    try:
        return cls(**restore_int_keys(settings))
    except (TypeError, ValueError) as exc:
        raise DecodeError(
            f"cannot rebuild {class_path} from its settings ({exc})", tag="settings"
        ) from exc


def _resolve(target: str, class_path: str) -> Callable[..., Any]:
    module_name, _, attribute = target.partition(":")
    try:
        found: Callable[..., Any] = getattr(importlib.import_module(module_name), attribute)
        return found
    except (ImportError, AttributeError) as exc:
        package = module_name.split(".")[0]
        raise DecodeError(
            f"class {class_path} is allowed but cannot be loaded here: is {package} installed? "
            f"({exc})",
            tag="settings",
        ) from exc


def mark_int_keys(value: Any) -> Any:
    """Copy of ``value`` in which every dict with an int key carries ``"__int_keys__": True``."""
    if isinstance(value, dict):
        marked = {key: mark_int_keys(item) for key, item in value.items()}
        if any(isinstance(key, int) and not isinstance(key, bool) for key in value):
            marked["__int_keys__"] = True
        return marked
    if isinstance(value, list):
        return [mark_int_keys(item) for item in value]
    return value


def restore_int_keys(value: Any) -> Any:
    """Undo ``mark_int_keys``: in marked dicts, keys that read as ints become ints again."""
    if isinstance(value, dict):
        marked = value.pop("__int_keys__", False)
        return {
            (_as_int(key) if marked else key): restore_int_keys(item) for key, item in value.items()
        }
    if isinstance(value, list):
        return [restore_int_keys(item) for item in value]
    return value


def _as_int(key: Any) -> Any:
    if isinstance(key, str):
        try:
            return int(key)
        except ValueError:
            return key
    return key
