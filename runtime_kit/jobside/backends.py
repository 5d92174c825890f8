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

#: The backend kinds a program environment offers (``generic-N``, ``noisy-N``: not yet).
KINDS = ("aer", "basic")


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


def build_backend(kind: str, factories: dict[str, Any], seed: int) -> Any:
    """The seeded simulator of ``kind`` (``aer`` falls back to ``basic`` without Aer); None
    in an environment without qiskit (a program that needs no backend).

    Raises:
        BackendUnavailable: the kind is not offered.
    """
    if kind not in KINDS:
        raise BackendUnavailable(
            f"backend {kind} is not available to programs with an environment of their own: "
            "use aer_simulator or basic_simulator"
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
