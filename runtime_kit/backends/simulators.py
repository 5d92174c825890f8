"""The built-in provider ``simulators``: ``aer_simulator``, ``basic_simulator``, ``generic-N``
(qiskit's generic N-qubit device) and ``noisy-N`` (Aer on an N-qubit device with readout
errors only).  ``aer``, ``basic``, ``generic:N``, ``noisy:N`` and the legacy
``ibmq_qasm_simulator`` are aliases.

Naming one needs no qiskit; building one happens in the job's process.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from typing import Any, NamedTuple

from runtime_kit.backends import simulator_documents
from runtime_kit.backends.provider import BackendInfo
from runtime_kit.errors import InputValueError

#: The names, as ``--help`` and errors show them.
NAMES = ("aer_simulator", "basic_simulator", "generic-N", "noisy-N")
#: Other spellings accepted for the same simulators.
ALIASES = {
    "aer": "aer_simulator",
    "ibmq_qasm_simulator": "aer_simulator",
    "basic": "basic_simulator",
}
#: Kinds that take a number of qubits (``generic-N``, ``noisy-N``).
SIZED_KINDS = ("generic", "noisy")
#: A sized device's qubits: its basis has two-qubit gates, so at least 2.
MIN_QUBITS, MAX_QUBITS = 2, 127
#: ``generic-N``/``noisy-N``: N in ASCII digits without leading zeros (``\d`` and
#: ``str.isdigit`` take other scripts' digits too).
_SIZED = re.compile(r"(generic|noisy)[-:]([1-9][0-9]{0,2})", re.ASCII)

LISTED = (
    BackendInfo(
        "ibmq_qasm_simulator",
        None,
        True,
        "Aer, ideal (the legacy name of aer_simulator)",
    ),
    BackendInfo("aer_simulator", None, True, "Aer, ideal", ("aer",)),
    BackendInfo("basic_simulator", None, True, "qiskit's BasicSimulator, ideal", ("basic",)),
    BackendInfo(
        "generic-5",
        5,
        True,
        "qiskit's GenericBackendV2: 5 qubits, random gate and readout errors per job (seeded)",
    ),
    BackendInfo(
        "noisy-5",
        5,
        False,
        "Aer on a 5-qubit device whose only noise is the readout errors of its properties",
    ),
)


class Simulator(NamedTuple):
    """One simulator: its kind (``aer``, ``basic``, ``generic``, ``noisy``) and, for the
    sized kinds, its qubits."""

    kind: str
    num_qubits: int | None = None

    def __str__(self) -> str:
        if self.kind in SIZED_KINDS:
            return f"{self.kind}-{self.num_qubits}"
        return f"{self.kind}_simulator"


def parse_simulator(name: str) -> Simulator | None:
    """The simulator called ``name``, or None if ``name`` is not a simulator's.

    Raises:
        InputValueError: a ``generic-N``/``noisy-N`` with too few or too many qubits.
    """
    given = name.strip().lower()
    given = ALIASES.get(given, given)
    if given in ("aer_simulator", "basic_simulator"):
        return Simulator(given.removesuffix("_simulator"))
    sized = _SIZED.fullmatch(given)
    if sized is None:
        return None
    kind, qubits = sized.group(1), int(sized.group(2))
    if qubits < MIN_QUBITS:
        raise InputValueError(
            f"backend {name!r} cannot work: a {kind} device needs at least {MIN_QUBITS} "
            "qubits (its basis gates include the two-qubit cx)",
            name="backend",
        )
    if qubits > MAX_QUBITS:
        raise InputValueError(
            f"unknown backend {name!r}: a {kind} device has at most {MAX_QUBITS} qubits",
            name="backend",
        )
    return Simulator(kind, qubits)


class SimulatorProvider:
    """The built-in provider of simulators (see the module's docstring)."""

    name = "simulators"

    def backends(self) -> Sequence[BackendInfo]:
        return LISTED

    def find(self, name: str) -> str | None:
        simulator = parse_simulator(name)
        return None if simulator is None else str(simulator)

    def configuration(self, name: str, *, memory_mib: int) -> dict[str, Any]:
        return simulator_documents.configuration(
            name, _simulator(name), memory_mib=memory_mib, description=_description(name)
        )

    def properties(self, name: str) -> dict[str, Any] | None:
        return simulator_documents.properties(name, _simulator(name))

    def build(self, name: str, *, seed: int) -> Any:
        return build_simulator(_simulator(name), seed=seed)

    def prepare(self, names: Collection[str]) -> None:
        """Nothing to do ahead: a simulator costs nothing to build."""


def _simulator(name: str) -> Simulator:
    simulator = parse_simulator(name)
    if simulator is None:
        raise InputValueError(f"unknown backend {name!r}", name="backend")
    return simulator


def _description(name: str) -> str:
    listed = next((info for info in LISTED if info.name == name), None)
    if listed is not None:
        return listed.description
    simulator = _simulator(name)
    if simulator.kind == "generic":
        return (
            f"qiskit's GenericBackendV2: {simulator.num_qubits} qubits, random gate and readout "
            "errors per job (seeded)"
        )
    if simulator.kind == "noisy":
        return (
            f"Aer on a {simulator.num_qubits}-qubit device whose only noise is the readout "
            "errors of its properties"
        )
    return _description(f"{simulator.kind}_simulator")


def readout_errors(num_qubits: int) -> list[tuple[float, float]]:
    """``(P(1|0), P(0|1))`` of each qubit of ``noisy-N``: the chance that a qubit prepared in
    0 reads 1, and in 1 reads 0.  Fixed (not random), so that a service can publish them as
    the backend's properties and every run sees the same ones."""
    return [(0.02 + 0.01 * (q % 3), 0.05 + 0.01 * (q % 4)) for q in range(num_qubits)]


def build_simulator(simulator: Simulator, *, seed: int) -> Any:
    """The qiskit backend of ``simulator``; ``seed`` makes ``generic-N``'s calibration."""
    from runtime_kit.program.backend import default_simulator

    if simulator.kind == "aer":
        return default_simulator()
    if simulator.kind == "basic":
        from qiskit.providers.basic_provider import BasicSimulator

        return BasicSimulator()
    if simulator.kind == "noisy":
        return _noisy_simulator(simulator.num_qubits or MIN_QUBITS, seed)
    from qiskit.providers.fake_provider import GenericBackendV2

    # the device's made-up calibration comes from the seed too: a run repeats whole
    return GenericBackendV2(simulator.num_qubits, seed=seed)


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
    return AerSimulator.from_backend(device, noise_model=noise, max_parallel_threads=1)
