"""The simulators a service offers, by the name clients send (legacy names included).

``LISTED`` are the ones a service lists to account clients (``provider.backends()``); by name
it also runs any ``generic-N`` and ``noisy-N`` (N qubits, 1-127).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from runtime_kit.harness.backends import MAX_QUBITS, BackendSpec


class ServiceBackend(NamedTuple):
    name: str
    spec: BackendSpec
    description: str


DEFAULT_BACKEND = "aer_simulator"
LISTED = (
    ServiceBackend(
        "ibmq_qasm_simulator", BackendSpec("aer"), "Aer, ideal (the legacy name of aer_simulator)"
    ),
    ServiceBackend("aer_simulator", BackendSpec("aer"), "Aer, ideal"),
    ServiceBackend("basic_simulator", BackendSpec("basic"), "qiskit's BasicSimulator, ideal"),
    ServiceBackend(
        "generic-5",
        BackendSpec("generic", 5),
        "qiskit's GenericBackendV2: 5 qubits, random gate and readout errors per job (seeded)",
    ),
    ServiceBackend(
        "noisy-5",
        BackendSpec("noisy", 5),
        "Aer on a 5-qubit device whose only noise is the readout errors of its properties",
    ),
)
#: The simulators the service offers, by the name clients send.
BACKENDS = {backend.name: backend.spec for backend in LISTED}
OFFERED = "ibmq_qasm_simulator, aer_simulator, basic_simulator, generic-N, noisy-N"
#: ``generic-N``/``noisy-N``: N in ASCII digits without leading zeros (``str.isdigit``
#: takes "٣" too).
_SIZED = re.compile(r"(generic|noisy)-([1-9][0-9]{0,2})")


def backend_spec(name: str | None) -> BackendSpec | None:
    """The simulator for a backend name (``generic-N``, ``noisy-N`` for N qubits), or None
    if unknown."""
    name = name or DEFAULT_BACKEND
    if name in BACKENDS:
        return BACKENDS[name]
    sized = _SIZED.fullmatch(name)
    if sized and int(sized[2]) <= MAX_QUBITS:
        return BackendSpec(sized[1], int(sized[2]))
    return None


def resolve_backend(name: str | None) -> BackendSpec:
    """``backend_spec`` of a name the service accepted when the job was submitted."""
    spec = backend_spec(name)
    if spec is None:
        raise ValueError(f"unknown backend {name!r}")
    return spec
