"""What ``runtime-kit backends list`` and ``backends show`` say about a backend, made from its
provider's documents (configuration and calibration) without building it or importing qiskit.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping
from typing import Any

from runtime_kit.backends.registry import Backends
from runtime_kit.harness.backends import DEFAULT_MEMORY_MIB

#: Calibration units, as factors to microseconds (T1, T2) and to seconds (gate lengths).
_MICROSECONDS = {"us": 1.0, "µs": 1.0, "ms": 1e3, "s": 1e6, "ns": 1e-3}


def list_backends(providers: Iterable[str] = ()) -> list[dict[str, Any]]:
    """The listed backends of ``providers`` and the default ones: name, provider, qubits
    (None: depends on the job's memory), simulator or device, description, aliases."""
    return [
        {
            "name": info.name,
            "provider": provider,
            "num_qubits": info.num_qubits,
            "simulator": info.simulator,
            "description": info.description,
            "aliases": list(info.aliases),
        }
        for provider, info in Backends(providers).listed()
    ]


def show_backend(
    name: str, providers: Iterable[str] = (), *, memory_mib: int = DEFAULT_MEMORY_MIB
) -> dict[str, Any]:
    """The backend called ``name``: its qubits, basis, coupling map, and for a device its
    calibration in medians (gate errors by gate, readout error, T1, T2 in microseconds).

    Raises:
        InputValueError: no backend of that name.
    """
    catalog = Backends(providers)
    spec = catalog.resolve(name)
    provider = catalog.provider_of(spec)
    configuration = provider.configuration(spec.name, memory_mib=memory_mib)
    properties = provider.properties(spec.name)
    coupling = configuration.get("coupling_map")
    summary: dict[str, Any] = {
        "name": spec.name,
        "provider": spec.provider,
        "aliases": _aliases(catalog, spec.provider, spec.name),
        "num_qubits": configuration.get("n_qubits"),
        "simulator": bool(configuration.get("simulator")),
        "description": configuration.get("description") or "",
        "processor": _processor(configuration),
        "basis_gates": list(configuration.get("basis_gates") or []),
        "coupling_map": [list(edge) for edge in coupling] if coupling else None,
        "max_shots": configuration.get("max_shots"),
        "calibration": None if not properties else calibration_summary(properties),
    }
    return summary


def calibration_summary(properties: Mapping[str, Any]) -> dict[str, Any]:
    """Medians of a calibration properties document: T1 and T2 (microseconds), readout
    error, and the error of each gate (by gate name); and when it was calibrated."""
    qubits = properties.get("qubits") or []
    errors: dict[str, list[float]] = {}
    for gate in properties.get("gates") or []:
        for item in gate.get("parameters") or []:
            if item.get("name") == "gate_error":
                errors.setdefault(gate["gate"], []).append(float(item["value"]))
    return {
        "last_update_date": properties.get("last_update_date"),
        "t1_us": _median(_qubit_values(qubits, "T1", microseconds=True)),
        "t2_us": _median(_qubit_values(qubits, "T2", microseconds=True)),
        "readout_error": _median(_qubit_values(qubits, "readout_error")),
        "gate_errors": {gate: _median(values) for gate, values in sorted(errors.items())},
        "faulty_qubits": [
            index
            for index, qubit in enumerate(qubits)
            if any(i.get("name") == "operational" and i.get("value") == 0 for i in qubit)
        ],
    }


def _qubit_values(
    qubits: Iterable[Iterable[Mapping[str, Any]]], name: str, *, microseconds: bool = False
) -> list[float]:
    values = []
    for qubit in qubits:
        for item in qubit:
            if item.get("name") != name:
                continue
            value = float(item["value"])
            if microseconds:
                value *= _MICROSECONDS.get(item.get("unit") or "us", 1.0)
            values.append(value)
    return values


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def _processor(configuration: Mapping[str, Any]) -> str | None:
    processor = configuration.get("processor_type")
    if not isinstance(processor, Mapping) or "family" not in processor:
        return None
    revision = processor.get("revision")
    return f"{processor['family']} r{revision}" if revision is not None else processor["family"]


def _aliases(catalog: Backends, provider: str, name: str) -> list[str]:
    for listed_provider, info in catalog.listed():
        if listed_provider == provider and info.name == name:
            return list(info.aliases)
    return []
