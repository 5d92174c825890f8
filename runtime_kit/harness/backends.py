"""The backends ``runtime-kit run`` offers: ``aer``, ``basic``, ``generic:N`` and ``noisy:N``.

Parsing a name (``parse_backend``) needs no qiskit, so the harness rejects a bad ``--backend``
before it starts anything; building one (``build_backend``) happens in the program's process.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from runtime_kit.errors import InputValueError

BACKEND_NAMES = ("aer", "basic", "generic:N", "noisy:N")
#: Kinds that take a number of qubits (``generic:N``, ``noisy:N``).
SIZED_KINDS = ("generic", "noisy")
MAX_QUBITS = 127


class BackendSpec(NamedTuple):
    kind: str  # "aer", "basic", "generic" or "noisy"
    num_qubits: int | None = None  # generic and noisy only

    def __str__(self) -> str:
        return f"{self.kind}:{self.num_qubits}" if self.kind in SIZED_KINDS else self.kind


def parse_backend(name: str) -> BackendSpec:
    """``"aer"``, ``"basic"``, ``"generic:N"`` or ``"noisy:N"`` (N qubits, 1-127).

    Raises:
        InputValueError: any other name.
    """
    kind, _, qubits = name.strip().lower().partition(":")
    if kind in ("aer", "basic") and not qubits:
        return BackendSpec(kind)
    if kind in SIZED_KINDS and qubits.isdigit() and 1 <= int(qubits) <= MAX_QUBITS:
        return BackendSpec(kind, int(qubits))
    raise InputValueError(
        f"unknown backend {name!r}: expected one of aer, basic, generic:N, noisy:N "
        f"(N = 1..{MAX_QUBITS} qubits)",
        name="backend",
    )


def readout_errors(num_qubits: int) -> list[tuple[float, float]]:
    """``(P(1|0), P(0|1))`` of each qubit of ``noisy:N``: the chance that a qubit prepared in
    0 reads 1, and in 1 reads 0.  Fixed (not random), so that a service can publish them as
    the backend's properties and every run sees the same ones."""
    return [(0.02 + 0.01 * (q % 3), 0.05 + 0.01 * (q % 4)) for q in range(num_qubits)]


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
    if spec.kind == "noisy":
        noisy = _noisy_simulator(spec.num_qubits or 1, seed)
        return ProgramBackend(noisy, name=f"noisy-{spec.num_qubits}")
    from qiskit.providers.fake_provider import GenericBackendV2

    generic = GenericBackendV2(spec.num_qubits, seed=seed)
    generic.set_options(seed_simulator=seed)
    return ProgramBackend(generic)


def _noisy_simulator(num_qubits: int, seed: int) -> Any:
    """Aer on an all-to-all ``num_qubits`` device whose only noise is ``readout_errors``."""
    from qiskit.providers.fake_provider import GenericBackendV2
    from qiskit_aer import AerSimulator
    from qiskit_aer.noise import NoiseModel, ReadoutError

    device = GenericBackendV2(num_qubits, noise_info=False, seed=seed)
    noise = NoiseModel(basis_gates=device.operation_names)  # else Aer forgets "x"
    for qubit, (one_given_zero, zero_given_one) in enumerate(readout_errors(num_qubits)):
        matrix = [[1 - one_given_zero, one_given_zero], [zero_given_one, 1 - zero_given_one]]
        noise.add_readout_error(ReadoutError(matrix), [qubit])
    return AerSimulator.from_backend(
        device, noise_model=noise, seed_simulator=seed, max_parallel_threads=1
    )
