"""The backend ``main()`` receives in a program's environment: that environment's own
simulator (Aer's when installed, else qiskit's basic one), each ``run`` taking the next seed
of the run's stream unless the program gives ``seed_simulator`` itself.

The simulator keeps its own class (a subclass made here only adds the seeding ``run``), so
``QuantumInstance``, ``execute`` and ``isinstance`` checks of the program's Qiskit see exactly
what that Qiskit made.
"""

from __future__ import annotations

import importlib
from typing import Any

from .seeds import SeedStream

#: The backends a program environment offers, by the (provider, name) a job names them with
#: (``generic-N``, ``noisy-N``, device snapshots, hardware: not yet).
KINDS = {("simulators", "aer_simulator"): "aer", ("simulators", "basic_simulator"): "basic"}


class BackendUnavailable(Exception):
    """The environment cannot give the backend the job asked for."""


def simulator_factories() -> dict[str, Any]:
    """What builds each kind here (imports the simulators: the ``prepare`` step)."""
    factories: dict[str, Any] = {}
    aer = _aer_simulator_class()
    if aer is not None:
        factories["aer"] = lambda: aer(max_parallel_threads=1)
    basic = _basic_simulator()
    if basic is not None:
        factories["basic"] = basic
    return factories


def build_backend(spec: list[Any], factories: dict[str, Any], seed: int) -> Any:
    """The seeded simulator the job's backend ``spec`` ([provider, name]) names (``aer``
    falls back to ``basic`` without Aer); None in an environment without qiskit (a program
    that needs no backend).

    Raises:
        BackendUnavailable: the backend is not offered here.
    """
    kind = KINDS.get((spec[0], spec[1])) if len(spec) == 2 else None
    if kind is None:
        raise BackendUnavailable(
            f"backend {spec[-1]} is not offered to programs with an environment of their "
            "own: use aer_simulator (ibmq_qasm_simulator) or basic_simulator"
        )
    factory = factories.get(kind) or factories.get("basic")
    if factory is None:
        return None
    backend = factory()
    _seed_each_run(backend, SeedStream(seed))
    from .program_api import ProgramBackend

    ProgramBackend.register(type(backend))
    return backend


def backend_name(backend: Any) -> str:
    if backend is None:
        return "none (the environment has no qiskit)"
    name = backend.name
    return str(name() if callable(name) else name)


def qubit_count(backend: Any) -> int:
    if backend is None:
        return 0
    count = getattr(backend, "num_qubits", None)
    if isinstance(count, int):
        return count
    configuration = getattr(backend, "configuration", None)
    if callable(configuration):
        return int(getattr(configuration(), "n_qubits", 0) or 0)
    return 0


def _seed_each_run(backend: Any, seeds: SeedStream) -> None:
    base = type(backend)

    def run(self: Any, run_input: Any, *args: Any, **options: Any) -> Any:
        if options.get("seed_simulator") is None:
            options["seed_simulator"] = seeds.next()
        return base.run(self, run_input, *args, **options)

    seeded = type(base.__name__, (base,), {"run": run, "__module__": base.__module__})
    backend.__class__ = seeded
    backend.seeds = seeds


def _aer_simulator_class() -> Any:
    for module_name in ("qiskit_aer", "qiskit.providers.aer"):
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        found = getattr(module, "AerSimulator", None)
        if found is not None:
            return found
    return None


def _basic_simulator() -> Any:
    try:
        from qiskit.providers.basic_provider import BasicSimulator
    except ImportError:
        pass
    else:
        return BasicSimulator
    try:
        from qiskit import BasicAer
    except ImportError:
        return None
    return lambda: BasicAer.get_backend("qasm_simulator")
