"""Removed qiskit functions that legacy programs call, served by runtime-kit (see legacy_modules).

``execute`` is qiskit's own (removed in qiskit 1.0) on today's API: transpile, then
``backend.run``, with every legacy keyword argument that still means something.  Pulse
scheduling has no successor: asking for it is an error naming the removal, never ignored.
``schedule`` stands in for ``qiskit.compiler.schedule`` only so that a module importing it
loads; calling it raises.  ``algorithm_globals`` is qiskit-algorithms' seed under its legacy
``qiskit.utils`` name.
"""

from __future__ import annotations

import logging
from typing import Any

from runtime_kit.errors import RemovedFeatureError

logger = logging.getLogger(__name__)

#: Keyword arguments legacy ``execute`` passed to ``transpile``.
TRANSPILE_OPTIONS = (
    "basis_gates",
    "coupling_map",
    "initial_layout",
    "seed_transpiler",
    "optimization_level",
)
#: Keyword arguments legacy ``execute`` passed to ``backend.run`` when the backend has such an
#: option (others were dropped, with a log line), in addition to ``parameter_binds``.
RUN_OPTIONS = {
    "shots": "shots",
    "memory": "memory",
    "seed_simulator": "seed_simulator",
    "default_qubit_los": "qubit_lo_freq",
    "default_meas_los": "meas_lo_freq",
    "qubit_lo_range": "qubit_lo_range",
    "meas_lo_range": "meas_lo_range",
    "schedule_los": "schedule_los",
    "meas_level": "meas_level",
    "meas_return": "meas_return",
    "memory_slots": "memory_slots",
    "memory_slot_size": "memory_slot_size",
    "rep_time": "rep_time",
    "rep_delay": "rep_delay",
    "init_qubits": "init_qubits",
}
#: Accepted and unused: legacy ``execute`` wrote them into a Qobj, which BackendV2 never saw.
QOBJ_ONLY = ("qobj_id", "qobj_header", "max_credits")
#: Pulse scheduling, removed in qiskit 2.0: no successor.
SCHEDULING = ("schedule_circuit", "inst_map", "meas_map", "scheduling_method")
#: Legacy ``execute`` ran this many shots when none were given (backends with a shots option).
LEGACY_DEFAULT_SHOTS = 1024


class AlgorithmGlobals:
    """``qiskit.utils.algorithm_globals`` (removed in qiskit 1.0): qiskit-algorithms' globals.

    When the legacy object can be imported, qiskit-algorithms hands its ``random_seed`` and
    ``random`` over to it.  Served as qiskit-algorithms' own object, those would call
    themselves without end; this one keeps the seed and the generator in qiskit-algorithms'
    object and answers for both.
    """

    @property
    def random_seed(self) -> int | None:
        seed: int | None = _algorithm_globals()._random_seed
        return seed

    @random_seed.setter
    def random_seed(self, seed: int | None) -> None:
        successor = _algorithm_globals()
        successor._random_seed = seed
        successor._random = None  # the next ``random`` is a generator with this seed

    @property
    def random(self) -> Any:
        """The numpy generator of qiskit-algorithms, seeded with ``random_seed``."""
        successor = _algorithm_globals()
        if successor._random is None:
            import numpy as np

            successor._random = np.random.default_rng(successor._random_seed)
        return successor._random


algorithm_globals = AlgorithmGlobals()


def _algorithm_globals() -> Any:
    from qiskit_algorithms.utils import algorithm_globals as successor

    return successor


def execute(experiments: Any, backend: Any, **options: Any) -> Any:
    """Legacy ``qiskit.execute``: transpile ``experiments`` for ``backend``, run them there.

    With ``pass_manager`` the circuits go through it instead of ``transpile``.  Options are
    those of qiskit 0.46's ``execute``; like it, ``shots`` defaults to 1024 and run options the
    backend does not have are dropped.

    Raises:
        RemovedFeatureError: pulse scheduling or ``backend_properties`` was asked for.
        QiskitError: ``pass_manager`` together with transpile options (as legacy did).
    """
    _refuse_removed(options)
    transpile_options = {key: options.pop(key) for key in TRANSPILE_OPTIONS if key in options}
    pass_manager = options.pop("pass_manager", None)
    for key in QOBJ_ONLY:
        options.pop(key, None)
    if pass_manager is not None:
        given = sorted(key for key, value in transpile_options.items() if value)
        if given:
            from qiskit.exceptions import QiskitError

            raise QiskitError(f"The parameters pass_manager conflicts with: {', '.join(given)}")
        circuits = pass_manager.run(experiments)
    else:
        import qiskit  # looked up now: the harness seeds qiskit.transpile

        circuits = qiskit.transpile(experiments, backend=backend, **transpile_options)
    return backend.run(circuits, **_run_options(backend, options))


def schedule(*args: Any, **kwargs: Any) -> Any:
    """Stand-in for ``qiskit.compiler.schedule``, removed in qiskit 2.0: always raises."""
    raise RemovedFeatureError(
        "qiskit.compiler.schedule (pulse scheduling) was removed in qiskit 2.0 and has no "
        "successor; runtime-kit serves the name only so that programs importing it load"
    )


def _refuse_removed(options: dict[str, Any]) -> None:
    asked = [key for key in SCHEDULING if options.get(key)]
    if asked:
        raise RemovedFeatureError(
            f"execute({asked[0]}=...): pulse scheduling was removed in qiskit 2.0 "
            "and has no successor"
        )
    if options.get("backend_properties") is not None:
        raise RemovedFeatureError(
            "execute(backend_properties=...): transpile() no longer takes backend properties "
            "(removed in qiskit 2.0); give a backend whose Target carries them"
        )
    for key in ("backend_properties", *SCHEDULING):
        options.pop(key, None)


def _run_options(backend: Any, options: dict[str, Any]) -> dict[str, Any]:
    supported = getattr(backend, "options", None)
    run_options: dict[str, Any] = {}
    for legacy, name in RUN_OPTIONS.items():
        value = options.pop(legacy, None)
        if not hasattr(supported, name):
            if value is not None:
                logger.info("%s has no option %s: not passed to run()", backend.name, name)
            continue
        if name == "shots" and value is None:
            value = LEGACY_DEFAULT_SHOTS
        if value is not None:
            run_options[name] = value
    run_options["parameter_binds"] = options.pop("parameter_binds", None)
    if run_options["parameter_binds"] is None:
        del run_options["parameter_binds"]
    return run_options | options  # the rest is **run_config, passed on as legacy did
