"""The simulators a program runs on, locally (``runtime-kit run``) and on the service, by one
set of names: ``aer_simulator``, ``basic_simulator`` and ``generic-N`` (a generic N-qubit
device).  ``aer``, ``basic``, ``generic:N`` and the legacy ``ibmq_qasm_simulator`` are aliases.

Parsing a name (``parse_backend``) needs no qiskit, so a bad ``--backend`` is rejected before
anything starts; building one (``build_backend``) happens in the program's process.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from runtime_kit.errors import InputValueError

DEFAULT_BACKEND = "aer_simulator"
#: The names, as ``--help`` and errors show them.
BACKEND_NAMES = ("aer_simulator", "basic_simulator", "generic-N")
#: Other spellings accepted for the same simulators.
ALIASES = {
    "aer": "aer_simulator",
    "ibmq_qasm_simulator": "aer_simulator",
    "basic": "basic_simulator",
}
#: A generic device's qubits: its basis has two-qubit gates, so at least 2.
MIN_GENERIC_QUBITS, MAX_GENERIC_QUBITS = 2, 127
_GENERIC = re.compile(r"generic[-:](\d+)")


class BackendSpec(NamedTuple):
    kind: str  # "aer", "basic" or "generic"
    num_qubits: int | None = None  # generic only

    def __str__(self) -> str:
        return f"generic-{self.num_qubits}" if self.kind == "generic" else f"{self.kind}_simulator"


def parse_backend(name: str) -> BackendSpec:
    """The simulator called ``name`` (see the module's docstring for the names).

    Raises:
        InputValueError: an unknown name, or a generic device too small or too large.
    """
    given = name.strip().lower()
    given = ALIASES.get(given, given)
    if given in ("aer_simulator", "basic_simulator"):
        return BackendSpec(given.removesuffix("_simulator"))
    generic = _GENERIC.fullmatch(given)
    if generic is None:
        raise InputValueError(
            f"unknown backend {name!r}: expected aer_simulator, basic_simulator or generic-N "
            "(aliases: aer, basic, generic:N, ibmq_qasm_simulator)",
            name="backend",
        )
    qubits = int(generic.group(1))
    if qubits < MIN_GENERIC_QUBITS:
        raise InputValueError(
            f"backend {name!r} cannot work: a generic device needs at least "
            f"{MIN_GENERIC_QUBITS} qubits (its basis gates include the two-qubit cx)",
            name="backend",
        )
    if qubits > MAX_GENERIC_QUBITS:
        raise InputValueError(
            f"backend {name!r}: a generic device has at most {MAX_GENERIC_QUBITS} qubits",
            name="backend",
        )
    return BackendSpec("generic", qubits)


def find_backend(name: str | None) -> BackendSpec | None:
    """The simulator called ``name`` (None: the default one), or None for a name that
    ``parse_backend`` refuses."""
    try:
        return parse_backend(name or DEFAULT_BACKEND)
    except InputValueError:
        return None


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
