"""The simulators a program runs on, locally (``runtime-kit run``) and on the service, by one
set of names: ``aer_simulator``, ``basic_simulator``, ``generic-N`` (a generic N-qubit device)
and ``noisy-N`` (Aer on an N-qubit device with readout errors only).  ``aer``, ``basic``,
``generic:N``, ``noisy:N`` and the legacy ``ibmq_qasm_simulator`` are aliases.

Parsing a name (``parse_backend``) needs no qiskit, so a bad ``--backend`` is rejected before
anything starts; building one (``build_backend``) happens in the program's process.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from runtime_kit.errors import InputValueError

DEFAULT_BACKEND = "aer_simulator"
#: The names, as ``--help`` and errors show them.
BACKEND_NAMES = ("aer_simulator", "basic_simulator", "generic-N", "noisy-N")
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


class BackendSpec(NamedTuple):
    kind: str  # "aer", "basic", "generic" or "noisy"
    num_qubits: int | None = None  # generic and noisy only

    def __str__(self) -> str:
        if self.kind in SIZED_KINDS:
            return f"{self.kind}-{self.num_qubits}"
        return f"{self.kind}_simulator"


def parse_backend(name: str) -> BackendSpec:
    """The simulator called ``name`` (see the module's docstring for the names).

    Raises:
        InputValueError: an unknown name, or a device too small or too large.
    """
    given = name.strip().lower()
    given = ALIASES.get(given, given)
    if given in ("aer_simulator", "basic_simulator"):
        return BackendSpec(given.removesuffix("_simulator"))
    sized = _SIZED.fullmatch(given)
    if sized is None:
        raise InputValueError(
            f"unknown backend {name!r}: expected aer_simulator, basic_simulator, generic-N or "
            "noisy-N (aliases: aer, basic, generic:N, noisy:N, ibmq_qasm_simulator)",
            name="backend",
        )
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
    return BackendSpec(kind, qubits)


def find_backend(name: str | None) -> BackendSpec | None:
    """The simulator called ``name`` (None: the default one), or None for a name that
    ``parse_backend`` refuses."""
    try:
        return parse_backend(name or DEFAULT_BACKEND)
    except InputValueError:
        return None


def readout_errors(num_qubits: int) -> list[tuple[float, float]]:
    """``(P(1|0), P(0|1))`` of each qubit of ``noisy-N``: the chance that a qubit prepared in
    0 reads 1, and in 1 reads 0.  Fixed (not random), so that a service can publish them as
    the backend's properties and every run sees the same ones."""
    return [(0.02 + 0.01 * (q % 3), 0.05 + 0.01 * (q % 4)) for q in range(num_qubits)]


def build_backend(spec: BackendSpec, *, seed: int) -> Any:
    """The ``ProgramBackend`` for ``spec``; each of its sampling calls draws a seed from a
    stream that ``seed`` starts (``runtime_kit.program.seeds``)."""
    from runtime_kit.program.backend import ProgramBackend, default_simulator

    if spec.kind == "aer":
        return ProgramBackend(default_simulator(), seed=seed)
    if spec.kind == "basic":
        from qiskit.providers.basic_provider import BasicSimulator

        return ProgramBackend(BasicSimulator(), seed=seed)
    if spec.kind == "noisy":
        noisy = _noisy_simulator(spec.num_qubits or 1, seed)
        return ProgramBackend(noisy, name=f"noisy-{spec.num_qubits}", seed=seed)
    from qiskit.providers.fake_provider import GenericBackendV2

    # the device's made-up calibration comes from the seed too: a run repeats whole
    generic = GenericBackendV2(spec.num_qubits, seed=seed)
    return ProgramBackend(generic, name=str(spec), seed=seed)


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
