"""Jobs from QUEUED to a final state, whatever executor runs them.

The ``Scheduler`` keeps the queue (``FairQueue``: round-robin between owners, each within its
running limit) and one thread per executor slot; for each job it reads
the program version from the store, records the seed it runs with, hands the executor a
``JobRequest`` and records what comes back: interim results (stored and streamed as they
come, within the job's count and size caps), live logs, and the final state.  It also
cancels, recovers at start from a service that stopped with jobs in flight (RUNNING ->
FAILED: rerunning could repeat side effects; QUEUED -> run), and stops gracefully: running
jobs get ``shutdown_timeout_s`` to end, then are killed and marked FAILED with the reason.
"""

from __future__ import annotations

import codecs
import json
import math
import secrets
import threading
import time
from collections.abc import Callable
from typing import Any

from runtime_kit.backends.provider import BackendSpec
from runtime_kit.environments.declaration import EnvironmentSpec
from runtime_kit.errors import ConfigurationError, InputValueError, ProgramEnvironmentError
from runtime_kit.harness import frames
from runtime_kit.harness.limit_errors import memory_failure_in
from runtime_kit.harness.process import describe_exit
from runtime_kit.sandbox.limits import MIB, JobLimits
from runtime_kit.service.core.backends import ServiceBackends
from runtime_kit.service.core.environments import ProgramEnvironments
from runtime_kit.service.core.fair_queue import FairQueue
from runtime_kit.service.core.store import (
    CANCELLED,
    COMPLETED,
    FAILED,
    QUEUED,
    RAN_TOO_LONG,
    RUNNING,
    Store,
    now,
)
from runtime_kit.service.executors import Executor, JobEnd, JobRequest

STOPPED_REASON = "service stopped while the job was running"

#: Called with (job_id, number, text) for each interim result as it is stored, and with
#: (job_id, None, None) when the job has ended (its result is no interim result: clients
#: fetch it from the results route, as IBM's service had them do).
MessageSink = Callable[[str, int | None, str | None], None]
#: Called with (job_id, offset, text) for each chunk of a job's logs (offset: characters
#: before it); (job_id, None, None) when the job has ended.
LogSink = Callable[[str, int | None, str | None], None]
#: Called with (job_id, new status, details) at each change of a job's state; details has
#: ``reason`` for FAILED and CANCELLED, and ``duration_s`` once a job that ran has ended.
StateSink = Callable[[str, str, dict[str, Any]], None]


class Scheduler:
    def __init__(
        self,
        store: Store,
        executor: Executor,
        limits: JobLimits,
        *,
        on_message: MessageSink,
        on_log: LogSink,
        on_state: StateSink | None = None,
        sandboxed: bool = False,
        running_limit: Callable[[str], int | None] = lambda owner: None,
        room: Callable[[str], int | None] = lambda owner: None,
        room_message: str = "",
        backends: ServiceBackends | None = None,
        environments: ProgramEnvironments | None = None,
    ) -> None:
        self.store = store
        self.backends = backends or ServiceBackends(memory_mib=limits.memory_mib)
        self.executor = executor
        self.limits = limits
        self.on_message = on_message
        self.on_log = on_log
        self.on_state = on_state or (lambda job_id, status, details: None)
        self.sandboxed = sandboxed
        #: the bytes an owner may still store (None: no quota), and what the job's failure
        #: says when an interim result would go over it
        self.room = room
        self.room_message = room_message
        self.environments = environments
        self._started: dict[str, float] = {}  # job -> when it started RUNNING (monotonic)
        self._queue = FairQueue(running_limit)
        self._running: dict[str, _Recording] = {}
        self._cancelled: set[str] = set()
        self._shutdown_killed: set[str] = set()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._stopping = False

    # --- lifecycle -----------------------------------------------------------------------

    def start(self) -> None:
        for row in self.store.query("SELECT id FROM jobs WHERE status = ?", RUNNING):
            self._end(row["id"], FAILED, reason=STOPPED_REASON, result=STOPPED_REASON)
        self.executor.start()
        queued = "SELECT id, owner FROM jobs WHERE status = ? ORDER BY seq"
        for row in self.store.query(queued, QUEUED):
            self._queue.put(row["id"], row["owner"])
        for number in range(self.executor.slots):
            thread = threading.Thread(target=self._serve, daemon=True, name=f"job-slot-{number}")
            thread.start()
            self._threads.append(thread)

    def stop(self, shutdown_timeout_s: float = 0.0) -> None:
        """Take no more jobs; give running ones ``shutdown_timeout_s`` to end, then kill
        them (FAILED, saying so).  Queued jobs stay queued for the next start."""
        self._stopping = True
        self._queue.close()
        deadline = time.monotonic() + shutdown_timeout_s
        while self.busy() and time.monotonic() < deadline:
            time.sleep(0.05)
        with self._lock:
            running = list(self._running)
            self._shutdown_killed.update(running)
        for job_id in running:
            self.executor.kill(job_id)
        for thread in self._threads:
            thread.join(timeout=30)
        self.executor.stop()

    # --- requests ------------------------------------------------------------------------

    def submit(self, job_id: str, owner: str) -> None:
        """Queue the admitted job ``job_id`` of ``owner`` (``admission``)."""
        self.on_state(job_id, QUEUED, {})
        self._queue.put(job_id, owner)

    def cancel(self, job_id: str) -> bool:
        """Cancel a queued or running job; False if it had already ended."""
        with self._lock:
            self._cancelled.add(job_id)
            running = job_id in self._running
        moved = self._end(job_id, CANCELLED, reason="cancelled by request")
        if running:
            self.executor.kill(job_id)
        return moved

    def live_logs(self, job_id: str) -> str | None:
        """The logs of a running job so far; None if it is not running here."""
        with self._lock:
            recording = self._running.get(job_id)
        return None if recording is None else recording.logs_text()

    def set_sub_status(self, job_id: str, sub_status: str) -> None:
        """A running function's sub-status (``update_status``), stored and told at once."""
        with self.store.transaction() as db:
            db.execute(
                "UPDATE jobs SET sub_status = ?, updated = ? WHERE id = ? AND status = ?",
                (sub_status, now(), job_id, RUNNING),
            )
        self.on_state(job_id, RUNNING, {"sub_status": sub_status})

    def busy(self) -> int:
        with self._lock:
            return len(self._running)

    def queued(self) -> int:
        return len(self._queue)

    # --- one job -------------------------------------------------------------------------

    def _serve(self) -> None:
        while True:
            waiting = self._queue.get()
            if waiting is None or self._stopping:
                return
            try:
                self._run(waiting.job_id)
            except Exception as exc:  # noqa: BLE001  (the service must outlive any job)
                reason = f"service error: {exc}"
                self._end(waiting.job_id, FAILED, reason=reason, result=str(exc))
            finally:
                self._queue.done(waiting.owner)

    def _run(self, job_id: str) -> None:
        job = self.store.query_one("SELECT * FROM jobs WHERE id = ?", job_id)
        if job is None or job["status"] != QUEUED:
            return
        chosen = self.store.program(job["program_id"], job["version"])
        if chosen is None:
            reason = "the program (or its version) was deleted before the job started"
            self._end(job_id, FAILED, reason=reason, result=reason)
            return
        try:
            backend = self.backends.resolve(job["backend"])
        except (InputValueError, ConfigurationError) as exc:
            reason = f"backend {job['backend']} is not offered by this service now: {exc}"
            self._end(job_id, FAILED, reason=reason, result=reason)
            return
        seed = secrets.randbelow(2**31)
        recording = _Recording(self, job_id, _message_schemas(chosen["spec"]), job["owner"])
        with self._lock:
            if job_id in self._cancelled:
                return
            self._running[job_id] = recording
        try:
            if not self.store.set_job_state(job_id, RUNNING, seed=seed):
                return
            self._started[job_id] = time.monotonic()
            self.on_state(job_id, RUNNING, {"seed": seed})
            request = self._request(job, chosen, seed, backend)
            spec = self._own_environment(chosen)
            if spec is None:
                end: JobEnd | None = self.executor.run(request, recording)
            else:
                end = self._run_in_environment(request, spec, chosen["owner"], recording)
            if end is not None:  # None: the environment's build failed, and ended the job
                self._record(job_id, end, recording, request.time_limit_s)
        finally:
            with self._lock:
                self._running.pop(job_id, None)
                self._cancelled.discard(job_id)
                self._shutdown_killed.discard(job_id)
                self._started.pop(job_id, None)

    def _own_environment(self, program: dict[str, Any]) -> EnvironmentSpec | None:
        if self.environments is None:
            return None
        digest = program["data_digest"]
        return self.environments.own_environment(
            digest, lambda: self.store.get_blob(digest), program["data_kind"]
        )

    def _run_in_environment(
        self, request: JobRequest, spec: EnvironmentSpec, owner: str, recording: _Recording
    ) -> JobEnd | None:
        """Build (or find) the program's environment, its lines in the job's logs as they
        come, then run the job in it; None when the build failed (the job has ended)."""
        assert self.environments is not None
        try:
            environment = self.environments.prepare(spec, owner=owner, log=recording.note)
        except ProgramEnvironmentError as exc:
            reason = f"the program's environment cannot be built: {exc}"
            recording.note(f"error: {reason}")
            self._end(
                request.job_id, FAILED, reason=reason, result=reason, logs=recording.with_notes("")
            )
            return None
        with self.environments.using(environment):
            return self.executor.run(request._replace(environment=environment), recording)

    def _request(
        self, job: Any, program: dict[str, Any], seed: int, backend: BackendSpec
    ) -> JobRequest:
        spec = json.loads(program["spec"])
        requirements = spec.get("backend_requirements") if isinstance(spec, dict) else None
        function = spec.get("function") if isinstance(spec, dict) else None  # a Qiskit Function
        limit = min(program["cost"], job["cost"] or math.inf, self.limits.max_execution_time_s)
        return JobRequest(
            job_id=job["id"],
            bundle=self.store.get_blob(program["data_digest"]),
            bundle_kind=program["data_kind"],
            inputs=job["params"],
            backend=list(backend),
            seed=seed,
            min_num_qubits=(requirements or {}).get("min_num_qubits"),
            time_limit_s=float(limit),
            log_level=job["log_level"],
            script=function["entrypoint"] if isinstance(function, dict) else None,
        )

    def _record(self, job_id: str, end: JobEnd, recording: _Recording, limit_s: float) -> None:
        logs = recording.with_notes(end.logs)
        with self._lock:
            stopped = job_id in self._shutdown_killed
        if stopped:
            reason = f"{STOPPED_REASON}: it did not end within the shutdown timeout"
            moved = self._end(job_id, FAILED, reason=reason, result=reason, logs=logs)
        elif end.timed_out:
            reason = f"ran longer than {limit_s:g} s (max_execution_time)"
            moved = self._end(job_id, RAN_TOO_LONG, reason=reason, result=reason, logs=logs)
        elif recording.refused or end.limit:
            cap = recording.refused or f"limit reached: {end.limit}"
            detail = f"{cap}\n{recording.error}" if recording.error else cap
            moved = self._end(job_id, FAILED, reason=cap, result=detail, logs=logs)
        elif recording.result is not None:
            moved = self._end(job_id, COMPLETED, result=recording.result, logs=logs)
        else:
            error = (
                recording.error
                or memory_failure_in(logs, recording.limits_seen)
                or describe_exit(end.returncode, self.sandboxed)
            )
            moved = self._end(job_id, FAILED, reason=error.split("\n")[0], result=error, logs=logs)
        if not moved:  # cancelled meanwhile: keep what it logged
            with self.store.transaction() as db:
                db.execute("UPDATE jobs SET logs = ? WHERE id = ?", (logs, job_id))

    def _end(self, job_id: str, status: str, **fields: Any) -> bool:
        """Move the job to a final ``status`` and tell its watchers (unless it had ended)."""
        moved = self.store.set_job_state(job_id, status, **fields)
        if moved:
            self.on_message(job_id, None, None)
            self.on_log(job_id, None, None)
            details: dict[str, Any] = {}
            if "reason" in fields:
                details["reason"] = fields["reason"]
            started = self._started.get(job_id)
            if started is not None:
                details["duration_s"] = round(time.monotonic() - started, 3)
            self.on_state(job_id, status, details)
        return moved


#: Messages larger than this are not checked against their schemas (the check decodes
#: arrays and would cost the service more than the message is worth).
MAX_CHECKED_MESSAGE_BYTES = 1 << 20
#: Sub-statuses a function's job may set (each is a commit); later ones are not kept.
MAX_STATUS_UPDATES = 1000


def _message_schemas(spec_text: str) -> dict[str, Any]:
    """The program's declared schemas of its messages, by frame kind."""
    spec = json.loads(spec_text)
    if not isinstance(spec, dict):
        return {}
    declared = {
        frames.INTERIM: spec.get("interim_results"),
        frames.RESULT: spec.get("return_values"),
    }
    return {kind: schema for kind, schema in declared.items() if isinstance(schema, dict | bool)}


class _Recording:
    """What one running job sends, as it comes (the executor's ``JobEvents``); a message
    that fails its declared schema is said in the job's logs (it is kept all the same)."""

    def __init__(
        self, scheduler: Scheduler, job_id: str, schemas: dict[str, Any], owner: str
    ) -> None:
        self.scheduler = scheduler
        self.job_id = job_id
        self.schemas = schemas
        self.owner = owner
        #: Lines of the service's own in the job's logs, each with the number of characters
        #: of the job's own output before it (where it goes in the logs kept at the end).
        self.notes: list[tuple[int, str]] = []
        self.result: str | None = None
        self.error: str | None = None
        self.refused: str | None = None  # a cap was hit: the job is being killed
        self.interim_count = 0
        self.interim_bytes = 0
        self.status_updates = 0
        self._log_parts: list[str] = []
        self._log_chars = 0  # characters so far: the offset of the next chunk
        self._log_lock = threading.Lock()
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        limits = scheduler.limits
        self.limits_seen = {**limits.describe(), "memory_scope": "job"}
        self._max_message = limits.message_mib * MIB
        self._max_interim_bytes = limits.interim_mib * MIB

    def frame(self, kind: str, payload: str) -> None:
        if self.refused:
            return
        limits = self.scheduler.limits
        if kind == frames.OVERSIZED:
            self._refuse(frames.refusal(kind, payload, self._max_message))
            return
        if kind == frames.MALFORMED:
            self._stop(frames.refusal(kind, payload, self._max_message))
            return
        size = _utf8_size(payload)
        if kind in (frames.INTERIM, frames.RESULT) and size > self._max_message:
            what = "an interim result" if kind == frames.INTERIM else "the result"
            self._refuse(f"message size ({what} of {size} bytes; at most {self._max_message})")
        elif kind == frames.INTERIM:
            if self.interim_count + 1 > limits.interim_results:
                self._refuse(f"interim results ({limits.interim_results} per job)")
            elif self.interim_bytes + size > self._max_interim_bytes:
                self._refuse(f"interim results ({limits.interim_mib} MiB per job)")
            elif not self._room_for(size):
                self._stop(self.scheduler.room_message)
            else:
                self.interim_count += 1
                self.interim_bytes += size
                number = self.scheduler.store.append_interim(self.job_id, payload)
                self.scheduler.on_message(self.job_id, number, payload)
                self._check(kind, f"interim result #{number - 1}", payload, size)  # as run
        elif kind == frames.RESULT:
            self.result = payload
            self._check(kind, "result", payload, size)
        elif kind == frames.STATUS:
            self._status(payload)
        elif kind in (frames.FAILED, frames.REJECTED):
            try:
                details = json.loads(payload)
                trace = details.get("traceback") or ""
                self.error = f"{details['error']}\n{trace}".rstrip("\n")
            except (ValueError, TypeError, KeyError, AttributeError):
                self._stop(f"malformed {kind} frame on the harness pipe")

    def _status(self, payload: str) -> None:
        """A function's sub-status: one of those qiskit-serverless has (the job's process
        is not trusted to send only those), at most ``MAX_STATUS_UPDATES`` stored."""
        from runtime_kit.jobside.serverless import SUB_STATUSES

        try:
            status = json.loads(payload).get("status")
        except (ValueError, AttributeError):
            return
        if status not in SUB_STATUSES:
            return
        self.status_updates += 1
        if self.status_updates > MAX_STATUS_UPDATES:
            if self.status_updates == MAX_STATUS_UPDATES + 1:
                self.note(f"status updates after the first {MAX_STATUS_UPDATES} are not kept")
            return
        self.scheduler.set_sub_status(self.job_id, status)
        self.note(f"status: {status}")

    def log(self, chunk: bytes) -> None:
        text = self._decoder.decode(chunk)
        with self._log_lock:
            offset = self._log_chars
            self._log_parts.append(text)
            self._log_chars += len(text)
        self.scheduler.on_log(self.job_id, offset, text)

    def _check(self, kind: str, what: str, payload: str, size: int) -> None:
        from runtime_kit.harness.spec import schema_mismatches

        schema = self.schemas.get(kind)
        if schema is None:
            return
        if size > MAX_CHECKED_MESSAGE_BYTES:
            found = [f"{what} not checked against its schema: {size} bytes, over 1 MiB"]
        else:
            found = schema_mismatches(what, payload, schema)
        for line in found:
            self.note(f"warning: {line}")

    def note(self, line: str) -> None:
        """A line of the service's own in the job's logs, live and kept."""
        text = f"[runtime-kit] {line}\n"
        with self._log_lock:
            offset = self._log_chars
            output_before = offset - sum(len(note) for _, note in self.notes)
            self.notes.append((output_before, text))
            self._log_parts.append(text)
            self._log_chars += len(text)
        self.scheduler.on_log(self.job_id, offset, text)

    def with_notes(self, logs: str) -> str:
        """The job's final ``logs`` with the service's lines where they were shown live."""
        parts, start = [], 0
        for output_before, text in self.notes:
            at = min(max(output_before, start), len(logs))
            parts += [logs[start:at], text]
            start = at
        return "".join([*parts, logs[start:]])

    def logs_text(self) -> str:
        with self._log_lock:
            return "".join(self._log_parts)

    def _room_for(self, size: int) -> bool:
        room = self.scheduler.room(self.owner)
        return room is None or size <= room

    def _refuse(self, cap: str) -> None:
        self._stop(f"limit reached: {cap}")

    def _stop(self, reason: str) -> None:
        """End the job now: it FAILS with ``reason``, whatever it sends after."""
        self.refused = reason
        self.result = None
        self.scheduler.executor.kill(self.job_id)


def _utf8_size(text: str) -> int:
    """The bytes of ``text`` in UTF-8, without a copy when it is ASCII (wire-format JSON
    is: the encoder escapes the rest)."""
    return len(text) if text.isascii() else len(text.encode())
