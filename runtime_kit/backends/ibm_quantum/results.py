"""Sampler results as the legacy ``Result`` of ``backend.run``: counts, memory and headers
exactly as Aer gives them for the same circuits.

The Sampler measures each classical register apart (packed bits per shot); a legacy result
counts whole memory words: every classical bit of the circuit, bit ``i`` of the word being
the circuit's clbit ``i``, written in hexadecimal (``0x5``).  The header is the one Aer
makes of the circuit the program passed (before it was transpiled for the device).
"""

from __future__ import annotations

import base64
from collections import Counter
from typing import Any

import numpy as np


def header(circuit: Any) -> dict[str, Any]:
    """The experiment header Aer makes of ``circuit``."""
    phase = circuit.global_phase
    return {
        "creg_sizes": [[register.name, register.size] for register in circuit.cregs],
        "global_phase": 0.0 if _parameterized(phase) else float(phase),
        "memory_slots": circuit.num_clbits,
        "n_qubits": circuit.num_qubits,
        "name": circuit.name,
        "qreg_sizes": [[register.name, register.size] for register in circuit.qregs],
        "metadata": circuit.metadata,
    }


def memory_words(circuit: Any, registers: dict[str, Any], shots: int) -> list[int]:
    """Each shot's whole memory word, from the registers' packed bits."""
    width = circuit.num_clbits
    bits = np.zeros((shots, width), dtype=np.uint8)
    for register in circuit.cregs:
        measured = registers.get(register.name)
        if measured is None:
            continue
        size = int(measured["bits"])
        packed = np.frombuffer(base64.b64decode(measured["data"]), dtype=np.uint8)
        unpacked = np.unpackbits(packed.reshape(shots, -1), axis=1)  # register bit 0 last
        for index, clbit in enumerate(register):
            bits[:, circuit.find_bit(clbit).index] = unpacked[:, -1 - index] if index < size else 0
    padded = np.concatenate([np.zeros((shots, -width % 8), dtype=np.uint8), bits[:, ::-1]], axis=1)
    words = np.packbits(padded, axis=1)
    return [int.from_bytes(row.tobytes(), "big") for row in words]


def experiment(
    circuit: Any, measured: dict[str, Any], *, memory: bool, ibm_job_id: str
) -> dict[str, Any]:
    """One circuit's ``ExperimentResult`` as a dict (``Result.from_dict`` reads it)."""
    shots = int(measured["shots"])
    words = [hex(word) for word in memory_words(circuit, measured["registers"], shots)]
    data: dict[str, Any] = {"counts": dict(Counter(words))}
    if memory:
        data["memory"] = words
    return {
        "shots": shots,
        "success": True,
        "status": "DONE",
        "data": data,
        "header": header(circuit),
        "metadata": {"ibm_job_id": ibm_job_id},
    }


def legacy_result(
    experiments: list[dict[str, Any]], *, backend: str, job_id: str, ibm_job_id: str
) -> Any:
    """The qiskit ``Result`` of ``experiments``."""
    from qiskit.result import Result

    return Result.from_dict(
        {
            "backend_name": backend,
            "backend_version": "1",
            "qobj_id": job_id,
            "job_id": job_id,
            "success": True,
            "results": experiments,
            "metadata": {"ibm_job_id": ibm_job_id},
        }
    )


def _parameterized(phase: Any) -> bool:
    return bool(getattr(phase, "parameters", None))
