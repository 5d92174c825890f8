"""The backends ``runtime-kit run`` offers: ``aer``, ``basic`` and ``generic:N``.

Parsing a name (``parse_backend``) needs no qiskit, so the harness rejects a bad ``--backend``
before it starts anything; building one (``build_backend``) happens in the program's process.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from runtime_kit.errors import InputValueError

BACKEND_NAMES = ("aer", "basic", "generic:N")


class BackendSpec(NamedTuple):
    kind: str  # "aer", "basic" or "generic"
    num_qubits: int | None = None  # generic only

    def __str__(self) -> str:
        return f"generic:{self.num_qubits}" if self.kind == "generic" else self.kind


def parse_backend(name: str) -> BackendSpec:
    """``"aer"``, ``"basic"`` or ``"generic:N"`` (N qubits, 1-127).

    Raises:
        InputValueError: any other name.
    """
    kind, _, qubits = name.strip().lower().partition(":")
    if kind in ("aer", "basic") and not qubits:
        return BackendSpec(kind)
    if kind == "generic" and qubits.isdigit() and 1 <= int(qubits) <= 127:
        return BackendSpec(kind, int(qubits))
    raise InputValueError(
        f"unknown backend {name!r}: expected one of aer, basic, generic:N (N = 1..127 qubits)",
        name="backend",
    )


def build_backend(spec: BackendSpec, *, seed: int) -> Any:
    """The ``ProgramBackend`` for ``spec``; ``seed`` seeds its simulator."""
    from runtime_kit.program.backend import ProgramBackend, default_simulator

    if spec.kind == "aer":
        return ProgramBackend(default_simulator(seed=seed))
    if spec.kind == "basic":
        from qiskit.providers.basic_provider import BasicSimulator

        simulator = BasicSimulator()
        simulator.set_options(seed_simulator=seed)
        return ProgramBackend(simulator)
    from qiskit.providers.fake_provider import GenericBackendV2

    generic = GenericBackendV2(spec.num_qubits, seed=seed)
    generic.set_options(seed_simulator=seed)
    return ProgramBackend(generic)
