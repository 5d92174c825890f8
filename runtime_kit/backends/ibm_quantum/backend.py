"""``HardwareBackend``: an IBM Quantum device as the job's process sees it, through the broker.

The job has no network and no credentials: it learns the device (configuration and
calibration) from the broker, and ``run`` hands the broker ISA circuits.  ``run`` takes
the circuits a legacy program passes (``backend.run(circuits, shots=...)``), transpiles
them for the device (qiskit's preset pass manager, optimization level 1), and returns a job
whose ``result()`` is the legacy ``Result`` (``results``).  Each IBM job's id goes to the
job's logs.  ``with backend.session():`` runs what it encloses in one IBM Quantum Session
(else each ``run`` goes into the job's Batch).
"""

from __future__ import annotations

import base64
import contextlib
import functools
import io
import threading
from collections.abc import Iterator
from typing import Any

from qiskit.providers import BackendV2, JobStatus, JobV1, Options

from runtime_kit.backends.ibm_quantum import results
from runtime_kit.backends.snapshots.target import build_target
from runtime_kit.harness import broker_client

#: Shots of a ``run`` that names none, as IBM's ``backend.run`` had.
DEFAULT_SHOTS = 4000
#: Transpilation for the device, as ``generate_preset_pass_manager(backend=...)`` does.
OPTIMIZATION_LEVEL = 1


@functools.cache
def describe(name: str) -> dict[str, Any]:
    """The device's documents, from the broker (once per process)."""
    return broker_client.request("describe")


class HardwareBackend(BackendV2):  # type: ignore[misc]  # qiskit publishes no types
    """The device ``name`` of the service's IBM Quantum account (see the module)."""

    #: Circuits run on the device, not here: Aer's primitives must not simulate a copy of it
    #: (``ProgramBackend`` gives qiskit's backend primitives, which call ``run``).
    runs_elsewhere = True

    def __init__(self, name: str) -> None:
        documents = describe(name)
        self._configuration: dict[str, Any] = documents["configuration"]
        properties = documents.get("properties") or {"qubits": [], "gates": []}
        super().__init__(
            name=name,
            description=f"IBM Quantum device {name}, through runtime-kit's broker",
            backend_version=str(self._configuration.get("backend_version") or "0"),
        )
        self._target = build_target(self._configuration, properties)
        self._session: str | None = None
        self._session_lock = threading.Lock()

    @property
    def target(self) -> Any:
        return self._target

    @property
    def max_circuits(self) -> None:
        return None

    @classmethod
    def _default_options(cls) -> Options:
        return Options(shots=DEFAULT_SHOTS, memory=False, seed_simulator=None)

    def run(self, run_input: Any, **options: Any) -> HardwareJob:
        """Run circuits on the device (transpiled for it first); a job whose ``result()``
        waits for the IBM job."""
        from qiskit import qpy
        from qiskit.transpiler import generate_preset_pass_manager

        circuits = list(run_input) if isinstance(run_input, list | tuple) else [run_input]
        shots = int(options.pop("shots", None) or self.options.shots)
        memory = bool(options.pop("memory", self.options.memory))
        seed = options.pop("seed_simulator", None)
        if options:
            print(
                f"runtime-kit: options not applied on IBM Quantum hardware: {', '.join(options)}",
                flush=True,
            )
        manager = generate_preset_pass_manager(
            optimization_level=OPTIMIZATION_LEVEL, target=self._target, seed_transpiler=seed
        )
        buffer = io.BytesIO()
        qpy.dump(manager.run(circuits), buffer)
        answer = broker_client.request(
            "submit",
            circuits=base64.b64encode(buffer.getvalue()).decode("ascii"),
            shots=shots,
            seed=seed,
            session=self._session,
        )
        print(
            f"runtime-kit: IBM Quantum job {answer['ibm_job_id']} on {self.name}: "
            f"{len(circuits)} circuit(s), {shots} shots",
            flush=True,
        )
        return HardwareJob(self, answer["job"], answer["ibm_job_id"], circuits, memory=memory)

    @contextlib.contextmanager
    def session(self) -> Iterator[str]:
        """Run what the block runs in one IBM Quantum Session on the device."""
        with self._session_lock:
            if self._session is not None:
                raise RuntimeError("a session of this backend is open already")
            self._session = broker_client.request("open_session")["session"]
        try:
            yield self._session
        finally:
            ref, self._session = self._session, None
            broker_client.request("close_session", session=ref)


class HardwareJob(JobV1):  # type: ignore[misc]
    """One IBM job of a ``run``; ``job_id()`` is IBM's."""

    def __init__(
        self,
        backend: HardwareBackend,
        ref: str,
        ibm_job_id: str,
        circuits: list[Any],
        *,
        memory: bool,
    ) -> None:
        super().__init__(backend, ibm_job_id)
        self._ref = ref
        self._circuits = circuits
        self._memory = memory
        self._result: Any = None
        self._cancelled = False

    def submit(self) -> None:
        """Submitted already, by ``run``."""

    def result(self, timeout: float | None = None) -> Any:
        """The legacy ``Result`` (waits for the IBM job; ``timeout`` is the job's time limit)."""
        if self._result is None:
            answer = broker_client.request("result", job=self._ref)
            experiments = [
                results.experiment(circuit, measured, memory=self._memory,
                                   ibm_job_id=answer["ibm_job_id"])
                for circuit, measured in zip(self._circuits, answer["experiments"], strict=True)
            ]  # fmt: skip
            self._result = results.legacy_result(
                experiments,
                backend=str(self.backend().name),
                job_id=self.job_id(),
                ibm_job_id=answer["ibm_job_id"],
            )
        return self._result

    def cancel(self) -> bool:
        status = broker_client.request("cancel", job=self._ref)["status"]
        self._cancelled = status == "CANCELLED"
        return self._cancelled

    def status(self) -> JobStatus:
        if self._result is not None:
            return JobStatus.DONE
        return JobStatus.CANCELLED if self._cancelled else JobStatus.RUNNING
