"""What a warm template prepares before it forks jobs: the simulators, exercised once, and
the backends the operator named (``--prepare-backends``: a device snapshot's target and noise
model), so that the first job of each fork pays none of it.

``prepare_backends`` runs in the template (one thread, see ``runtime_kit.sandbox.fork_server``),
after qiskit, Aer and the job side are imported.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Sequence

#: Shots of the warm-up run: enough to go through Aer's sampling path.
WARM_SHOTS = 200


#: What ``harness/child.run_job`` imports when a job comes (~35 ms here): once, in the
#: template, rather than in every forked job.
JOB_MODULES = (
    "qiskit_aer.primitives",  # what a job's backend teaches Aer's primitives
    "runtime_kit.backends.registry",
    "runtime_kit.harness.backends",
    "runtime_kit.harness.broker_client",
    "runtime_kit.harness.job_logging",
    "runtime_kit.harness.legacy_modules",
    "runtime_kit.harness.limit_errors",
    "runtime_kit.harness.transpiler_plugins",
    "runtime_kit.harness.wheels",
    "runtime_kit.jobside.bundle",
    "runtime_kit.jobside.entrypoints",
    "runtime_kit.jobside.runner",
    "runtime_kit.program.backend",
    "runtime_kit.project",
    "runtime_kit.service.core.bundles",
)


def import_job_modules() -> None:
    for name in JOB_MODULES:
        importlib.import_module(name)


def prepare_backends(specs: Iterable[Sequence[str]] = ()) -> None:
    """Exercise the simulators (a preset pass manager and an Aer sampler run) and prepare
    the backends ``specs`` (``[provider, name]``) once, in this process, as a warm worker
    does (``runtime_kit.backends.registry.prepare_backends``)."""
    from runtime_kit.backends.provider import BackendSpec
    from runtime_kit.backends.registry import prepare_backends as prepare_each
    from runtime_kit.harness.transpiler_plugins import defer_ibm_runtime_plugins

    defer_ibm_runtime_plugins()
    warm_simulators()
    prepare_each(BackendSpec(*spec) for spec in specs)


def warm_simulators() -> None:
    from qiskit import QuantumCircuit
    from qiskit.transpiler import generate_preset_pass_manager
    from qiskit_aer import AerSimulator
    from qiskit_aer.primitives import SamplerV2

    circuit = QuantumCircuit(2)
    circuit.h(0)
    circuit.cx(0, 1)
    circuit.measure_all()
    simulator = AerSimulator()
    isa = generate_preset_pass_manager(optimization_level=1, backend=simulator).run(circuit)
    SamplerV2(default_shots=WARM_SHOTS, seed=0).run([isa]).result()
    _stop_aer_job_thread()


def _stop_aer_job_thread() -> None:
    """Aer runs jobs on a thread of its own, started on first use and left waiting: end it,
    so that the template forks with its main thread alone (Aer makes a new executor in a
    forked child anyway)."""
    from concurrent.futures import ThreadPoolExecutor

    from qiskit_aer.jobs import aerjob, utils

    utils.DEFAULT_EXECUTOR.shutdown(wait=True)
    fresh = ThreadPoolExecutor(max_workers=1)
    utils.DEFAULT_EXECUTOR = fresh
    if hasattr(aerjob, "DEFAULT_EXECUTOR"):  # qiskit-aer < 0.18 bound the name at import
        aerjob.DEFAULT_EXECUTOR = fresh
