"""The simulators a service offers, by the name clients send (legacy names included)."""

from __future__ import annotations

from runtime_kit.harness.backends import BackendSpec

DEFAULT_BACKEND = "aer_simulator"
#: The simulators the service offers, by the name clients send.
BACKENDS = {
    "aer_simulator": BackendSpec("aer"),
    "ibmq_qasm_simulator": BackendSpec("aer"),  # legacy scripts name it; same simulator
    "basic_simulator": BackendSpec("basic"),
}


def backend_spec(name: str | None) -> BackendSpec | None:
    """The simulator for a backend name (``generic-N`` for N qubits), or None if unknown."""
    name = name or DEFAULT_BACKEND
    if name in BACKENDS:
        return BACKENDS[name]
    prefix, _, qubits = name.partition("-")
    if prefix == "generic" and qubits.isdigit() and 1 <= int(qubits) <= 127:
        return BackendSpec("generic", int(qubits))
    return None


def resolve_backend(name: str | None) -> BackendSpec:
    """``backend_spec`` of a name the service accepted when the job was submitted."""
    spec = backend_spec(name)
    if spec is None:
        raise ValueError(f"unknown backend {name!r}")
    return spec
