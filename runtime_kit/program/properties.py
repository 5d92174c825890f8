"""``BackendProperties``: a device's calibration, as legacy programs read it from
``backend.properties()`` (qiskit-terra's BackendV1 ``BackendProperties``, removed in qiskit 2).

Made from the properties document IBM served (``qubits``, ``gates``, ``general``, each value a
``{"date", "name", "unit", "value"}``); values come back in SI units (seconds, hertz), as
qiskit-terra returned them, and ``to_dict()`` gives the document back.
"""

from __future__ import annotations

import copy
import datetime
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from runtime_kit.errors import RuntimeKitError

Measured = tuple[float, datetime.datetime | None]


class Nduv(NamedTuple):
    """One calibration value as the document gives it: name, date, unit, value."""

    date: datetime.datetime | None
    name: str
    unit: str
    value: float


class GateProperties(NamedTuple):
    """One gate's calibration on some qubits, as the document gives it."""

    qubits: list[int]
    gate: str
    parameters: list[Nduv]
    name: str


class BackendPropertyError(RuntimeKitError, LookupError):
    """A property the device's calibration does not have."""


class BackendProperties:
    """The calibration of a device (see the module's docstring).

    Args:
        document: the properties document (``backend_name``, ``last_update_date``,
            ``qubits``, ``gates``, ``general``).
    """

    def __init__(self, document: Mapping[str, Any]) -> None:
        self._document = document  # shared with others: never changed here
        self.backend_name: str = document.get("backend_name", "")
        self.backend_version: str = document.get("backend_version", "")
        self.last_update_date = _date(document.get("last_update_date"))
        self.general: list[Any] = list(document.get("general") or [])
        self._qubits = [_values(qubit) for qubit in document.get("qubits") or []]
        self._gates: dict[str, dict[tuple[int, ...], dict[str, Measured]]] = {}
        for gate in document.get("gates") or []:
            operands = tuple(gate["qubits"])
            self._gates.setdefault(gate["gate"], {})[operands] = _values(gate["parameters"])

    @classmethod
    def from_dict(cls, document: Mapping[str, Any]) -> BackendProperties:
        return cls(document)

    def to_dict(self) -> dict[str, Any]:
        return copy.deepcopy(dict(self._document))

    @property
    def qubits(self) -> list[list[Nduv]]:
        """Each qubit's calibration values, as the document gives them (units included)."""
        return [[_nduv(item) for item in qubit] for qubit in self._document.get("qubits") or []]

    @property
    def gates(self) -> list[GateProperties]:
        """Each gate's calibration, as the document gives it (units included)."""
        return [
            GateProperties(
                list(gate["qubits"]),
                gate["gate"],
                [_nduv(item) for item in gate.get("parameters") or []],
                gate.get("name", ""),
            )
            for gate in self._document.get("gates") or []
        ]

    def qubit_value(self, qubit: int, name: str) -> float | None:
        """The value of ``name`` for ``qubit`` (SI units), None if not calibrated."""
        values = self._qubits[qubit] if 0 <= qubit < len(self._qubits) else {}
        return values[name][0] if name in values else None

    def gate_values(self, gate: str) -> dict[tuple[int, ...], dict[str, float]]:
        """``{qubits: {name: value}}`` of ``gate`` (SI units; empty if not calibrated)."""
        return {
            operands: {name: measured[0] for name, measured in values.items()}
            for operands, values in self._gates.get(gate, {}).items()
        }

    @property
    def num_qubits(self) -> int:
        """Qubits with calibration data."""
        return len(self._qubits)

    def qubit_property(self, qubit: int, name: str | None = None) -> Any:
        """``{name: (value, date)}`` of ``qubit``, or the ``(value, date)`` of one ``name``."""
        if not 0 <= qubit < len(self._qubits):
            raise BackendPropertyError(f"no properties of qubit {qubit}")
        values = self._qubits[qubit]
        if name is None:
            return dict(values)
        if name not in values:
            raise BackendPropertyError(f"qubit {qubit} has no property {name!r}")
        return values[name]

    def gate_property(
        self, gate: str, qubits: int | Iterable[int] | None = None, name: str | None = None
    ) -> Any:
        """The calibration of ``gate``: by qubits, on ``qubits``, or one ``name`` there."""
        if gate not in self._gates:
            raise BackendPropertyError(f"no properties of gate {gate!r}")
        if qubits is None:
            return {operands: dict(values) for operands, values in self._gates[gate].items()}
        operands = (qubits,) if isinstance(qubits, int) else tuple(qubits)
        values = self._gates[gate].get(operands)
        if values is None:
            raise BackendPropertyError(f"no properties of gate {gate!r} on qubits {operands}")
        if name is None:
            return dict(values)
        if name not in values:
            raise BackendPropertyError(f"gate {gate!r} on {operands} has no property {name!r}")
        return values[name]

    def gate_error(self, gate: str, qubits: int | Iterable[int]) -> float:
        return float(self.gate_property(gate, qubits, "gate_error")[0])

    def gate_length(self, gate: str, qubits: int | Iterable[int]) -> float:
        return float(self.gate_property(gate, qubits, "gate_length")[0])

    def t1(self, qubit: int) -> float:
        return float(self.qubit_property(qubit, "T1")[0])

    def t2(self, qubit: int) -> float:
        return float(self.qubit_property(qubit, "T2")[0])

    def frequency(self, qubit: int) -> float:
        return float(self.qubit_property(qubit, "frequency")[0])

    def readout_error(self, qubit: int) -> float:
        return float(self.qubit_property(qubit, "readout_error")[0])

    def readout_length(self, qubit: int) -> float:
        return float(self.qubit_property(qubit, "readout_length")[0])

    def is_qubit_operational(self, qubit: int) -> bool:
        values = self.qubit_property(qubit)
        return bool(values["operational"][0]) if "operational" in values else True

    def is_gate_operational(self, gate: str, qubits: int | Iterable[int]) -> bool:
        values = self.gate_property(gate, qubits)
        return bool(values["operational"][0]) if "operational" in values else True

    def faulty_qubits(self) -> list[int]:
        return [q for q in range(len(self._qubits)) if not self.is_qubit_operational(q)]

    def faulty_gates(self) -> list[GateProperties]:
        """The gates marked not operational."""
        return [gate for gate in self.gates if not self.is_gate_operational(gate.gate, gate.qubits)]

    def __repr__(self) -> str:
        return f"BackendProperties({self.backend_name!r}, {len(self._qubits)} qubits)"


def _nduv(item: Mapping[str, Any]) -> Nduv:
    return Nduv(_date(item.get("date")), item["name"], item.get("unit") or "", item["value"])


def _values(items: Iterable[Mapping[str, Any]]) -> dict[str, Measured]:
    return {item["name"]: (_si(item), _date(item.get("date"))) for item in items}


def _si(item: Mapping[str, Any]) -> float:
    """A value in SI units (``us`` -> seconds, ``GHz`` -> hertz), as qiskit rounds them."""
    from qiskit.utils.units import apply_prefix

    value, unit = float(item["value"]), item.get("unit") or ""
    if unit in ("", "s", "Hz"):
        return value
    try:
        return float(apply_prefix(value, unit))
    except ValueError as exc:
        raise BackendPropertyError(f"unknown unit {unit!r} of {item.get('name')!r}") from exc


def _date(text: Any) -> datetime.datetime | None:
    if not isinstance(text, str):
        return None
    try:
        return datetime.datetime.fromisoformat(text)
    except ValueError:
        return None
