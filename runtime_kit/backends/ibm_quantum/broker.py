"""``HardwareBroker``: the one way a job reaches IBM Quantum (see ``runtime_kit.harness.broker``).

It holds the opened account; a job holds nothing of it.  A job may only use the device its
own backend names, and only these requests:

- ``describe``: the device's configuration and calibration documents;
- ``submit``: ``circuits`` (QPY, base64; ISA circuits of the device), ``shots``, ``seed``
  (the local mode's simulator only), ``session`` (a session it opened, else the job's
  Batch): runs the Sampler; answers the IBM job's id;
- ``result``: waits for a submitted IBM job; answers each circuit's measured registers as
  packed bits (``BitArray.array``, base64);
- ``cancel``: cancels a submitted IBM job;
- ``open_session`` / ``close_session``: a Session on the device, for a program that asks.

A job's IBM jobs are recorded as they are made (``on_job``: the service keeps them with the
job, ``runtime-kit run`` prints them) and, when the job ends however it ends, those not
finished are cancelled and its Batch and Sessions closed.
"""

from __future__ import annotations

import base64
import binascii
import io
import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from runtime_kit.backends.ibm_quantum.account import IBMQuantumAccount
from runtime_kit.harness.broker import BrokerError

PROVIDER = "ibm-quantum"
#: Shots per circuit a request may ask for, and circuits per request, at most (IBM's own
#: limits are the device's ``max_shots`` and the Sampler's).
MAX_SHOTS = 10_000_000
MAX_CIRCUITS = 10_000
#: IBM jobs one runtime-kit job may make: a program that loops by mistake stops here
#: instead of spending the account's quantum time.
MAX_RUNS_PER_JOB = 1000
#: qiskit-ibm-runtime's final job states.
FINAL = {"DONE", "CANCELLED", "ERROR"}

JobRecorder = Callable[[str, str, str], None]
Notes = Callable[[str, str], None]


@dataclass
class _Job:
    """What one runtime-kit job has opened on its device."""

    device: str
    batch: Any = None
    sessions: dict[str, Any] = field(default_factory=dict)
    runs: dict[str, Any] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


class HardwareBroker:
    """Args:
    account: the opened account.
    on_job: called with (runtime-kit job id, IBM job id, device) for each IBM job made.
    on_note: called with (runtime-kit job id, text) for what went wrong cleaning up after
        a job (an IBM job that could not be cancelled).
    max_runs_per_job: IBM jobs one runtime-kit job may make.
    """

    def __init__(
        self,
        account: IBMQuantumAccount,
        *,
        on_job: JobRecorder | None = None,
        on_note: Notes | None = None,
        max_runs_per_job: int = MAX_RUNS_PER_JOB,
    ) -> None:
        self.account = account
        self.max_runs_per_job = max_runs_per_job
        self.on_job = on_job or (lambda job_id, ibm_job_id, device: None)
        self.on_note = on_note or (lambda job_id, text: None)
        self._jobs: dict[str, _Job] = {}
        self._lock = threading.Lock()
        self._refs = itertools.count(1)

    def serves(self, backend: list[Any]) -> bool:
        return bool(backend) and backend[0] == PROVIDER

    def begin(self, job_id: str, backend: list[Any]) -> None:
        """Job ``job_id`` runs on ``backend`` (its ``BackendSpec``): the one device it may use."""
        with self._lock:
            self._jobs[job_id] = _Job(str(backend[1]))

    def handle(self, job_id: str, request: dict[str, Any]) -> dict[str, Any]:
        job = self._job(job_id)
        operation = request.get("op")
        handler = _OPERATIONS.get(operation) if isinstance(operation, str) else None
        if handler is None:
            raise BrokerError(f"unknown request {operation!r}")
        answer: dict[str, Any] = handler(self, job_id, job, request)
        return answer

    def end(self, job_id: str) -> None:
        with self._lock:
            job = self._jobs.pop(job_id, None)
        if job is None:
            return
        with job.lock:
            runs, sessions, batch = list(job.runs.values()), list(job.sessions.values()), job.batch
        for run in runs:
            self._cancel_left(job_id, run)
        for mode in [*sessions, batch]:
            failure = None if mode is None else _attempt(mode.close)
            if failure:
                self.on_note(job_id, f"an IBM Quantum batch or session did not close: {failure}")

    def _cancel_left(self, job_id: str, run: Any) -> None:
        """Cancel an IBM job its job left unfinished, and say so (or why it could not be)."""
        ibm_job_id = run.job_id()
        try:
            status = _status(run)
            if status in FINAL:
                return
            run.cancel()
        except Exception as exc:  # noqa: BLE001  (said; the rest of the clean-up goes on)
            failure = f"{type(exc).__name__}: {exc}"
            self.on_note(job_id, f"IBM job {ibm_job_id} could not be cancelled: {failure}")
            return
        self.on_note(job_id, f"IBM job {ibm_job_id} cancelled (it was {status}): its job ended")

    # --- requests -------------------------------------------------------------------------

    def _describe(self, job_id: str, job: _Job, request: dict[str, Any]) -> dict[str, Any]:
        configuration, properties = self.account.documents(job.device)
        return {"configuration": configuration, "properties": properties}

    def _submit(self, job_id: str, job: _Job, request: dict[str, Any]) -> dict[str, Any]:
        shots = _integer(request, "shots", 1, MAX_SHOTS)
        seed = request.get("seed")
        if seed is not None and not (isinstance(seed, int) and 0 <= seed < 2**63):
            raise BrokerError("seed must be a non-negative integer")
        circuits = _circuits(request.get("circuits"))
        with job.lock:
            if len(job.runs) >= self.max_runs_per_job:
                raise BrokerError(
                    f"this job has made {len(job.runs)} IBM jobs, the most one job may make"
                )
        mode = self._mode(job, request.get("session"))
        run = self.account.run(mode, circuits, shots=shots, seed=seed)
        ibm_job_id = str(run.job_id())
        ref = str(next(self._refs))
        with job.lock:
            job.runs[ref] = run
        self.on_job(job_id, ibm_job_id, job.device)
        return {"job": ref, "ibm_job_id": ibm_job_id}

    def _result(self, job_id: str, job: _Job, request: dict[str, Any]) -> dict[str, Any]:
        run = self._run(job, request)
        try:
            result = run.result()
        except Exception as exc:  # the IBM job failed or was cancelled: said to the job
            raise BrokerError(f"IBM job {run.job_id()}: {type(exc).__name__}: {exc}") from exc
        return {"ibm_job_id": str(run.job_id()), "experiments": [_registers(pub) for pub in result]}

    def _cancel(self, job_id: str, job: _Job, request: dict[str, Any]) -> dict[str, Any]:
        run = self._run(job, request)
        _cancel_unless_ended(run)
        return {"status": _status(run)}

    def _open_session(self, job_id: str, job: _Job, request: dict[str, Any]) -> dict[str, Any]:
        session = self.account.open_session(job.device)
        ref = str(next(self._refs))
        with job.lock:
            job.sessions[ref] = session
        return {"session": ref}

    def _close_session(self, job_id: str, job: _Job, request: dict[str, Any]) -> dict[str, Any]:
        with job.lock:
            session = job.sessions.pop(str(request.get("session")), None)
        if session is None:
            raise BrokerError(f"no open session {request.get('session')!r} of this job")
        session.close()
        return {}

    # --- helpers --------------------------------------------------------------------------

    def _job(self, job_id: str) -> _Job:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise BrokerError("this job has no IBM Quantum device")
        return job

    def _mode(self, job: _Job, session: Any) -> Any:
        with job.lock:
            if session is not None:
                found = job.sessions.get(str(session))
                if found is None:
                    raise BrokerError(f"no open session {session!r} of this job")
                return found
            if job.batch is None:
                job.batch = self.account.open_batch(job.device)
            return job.batch

    def _run(self, job: _Job, request: dict[str, Any]) -> Any:
        with job.lock:
            run = job.runs.get(str(request.get("job")))
        if run is None:
            raise BrokerError(f"no IBM job {request.get('job')!r} of this job")
        return run


_OPERATIONS: dict[str, Callable[[HardwareBroker, str, _Job, dict[str, Any]], dict[str, Any]]] = {
    "describe": HardwareBroker._describe,
    "submit": HardwareBroker._submit,
    "result": HardwareBroker._result,
    "cancel": HardwareBroker._cancel,
    "open_session": HardwareBroker._open_session,
    "close_session": HardwareBroker._close_session,
}


def _integer(request: dict[str, Any], name: str, low: int, high: int) -> int:
    value = request.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise BrokerError(f"{name} must be an integer from {low} to {high}")
    return value


def _circuits(encoded: Any) -> list[Any]:
    """The circuits of a request: QPY, base64."""
    from qiskit import qpy

    if not isinstance(encoded, str):
        raise BrokerError("circuits must be QPY data in base64")
    try:
        circuits = qpy.load(io.BytesIO(base64.b64decode(encoded, validate=True)))
    except (binascii.Error, ValueError, qpy.QpyError) as exc:
        raise BrokerError(f"circuits cannot be read: {exc}") from exc
    if not 1 <= len(circuits) <= MAX_CIRCUITS:
        raise BrokerError(f"a request takes 1 to {MAX_CIRCUITS} circuits, not {len(circuits)}")
    return list(circuits)


def _registers(pub: Any) -> dict[str, Any]:
    """One circuit's measured registers: name -> packed bits, and its shots."""
    registers = {}
    shots = 0
    for name, value in pub.data.items():
        if hasattr(value, "num_bits") and hasattr(value, "array"):  # a BitArray
            shots = int(value.num_shots)
            registers[name] = {
                "bits": int(value.num_bits),
                "data": base64.b64encode(value.array.tobytes()).decode("ascii"),
            }
    return {"shots": shots, "registers": registers}


def _cancel_unless_ended(run: Any) -> None:
    if _status(run) not in FINAL:
        run.cancel()


def _status(run: Any) -> str:
    status = run.status()
    return str(getattr(status, "name", status))


def _attempt(action: Callable[[], Any]) -> str | None:
    """Clean-up at a job's end: what went wrong, if anything (said, never raised: the job
    has ended, and the rest of its clean-up must still happen)."""
    try:
        action()
    except Exception as exc:  # noqa: BLE001  (whatever the library raises is reported)
        return f"{type(exc).__name__}: {exc}"
    return None
