"""Runs queued jobs in warm worker processes, never in the API process.

Each worker is a harness child (``ProgramProcess``) that has already imported qiskit and
Aer and owns a fresh working directory.  A job takes one, unpacks its program into the
worker's directory, and the worker runs exactly that job and ends; a new warm worker takes
its place.  So a crash, a leak or a killed job never affects the next one, and a trivial job
does not pay qiskit's import.  With ``sandbox="bwrap"`` each worker runs in bubblewrap: no
network, the file system read-only apart from its own directory.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import queue
import secrets
import shutil
import signal
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from runtime_kit.harness import frames
from runtime_kit.harness.backends import BackendSpec, find_backend
from runtime_kit.harness.process import ProgramProcess, describe_exit
from runtime_kit.service.bundles import ProgramData, unpack
from runtime_kit.service.store import (
    CANCELLED,
    COMPLETED,
    FAILED,
    QUEUED,
    RAN_TOO_LONG,
    RUNNING,
    Store,
)

DEFAULT_BACKEND = "aer_simulator"
#: The simulators the service offers, by the name clients send.
BACKENDS = {
    "aer_simulator": BackendSpec("aer"),
    "ibmq_qasm_simulator": BackendSpec("aer"),  # legacy scripts name it; same simulator
    "basic_simulator": BackendSpec("basic"),
}
STOPPED_REASON = "service stopped while the job was running"
#: The largest interim result or result a job may send; beyond it the job fails.
MAX_MESSAGE_BYTES = 16 * 1024 * 1024
WORKER_MARKER = "RUNTIME_KIT_WORKER"

#: Called with (job_id, number, text) for each interim result as it is stored, and with
#: (job_id, None, result text or None) when the job has ended.
MessageSink = Callable[[str, int | None, str | None], None]


def backend_spec(name: str | None) -> BackendSpec | None:
    """The simulator for a backend name (``generic-N`` for N qubits), or None if unknown."""
    return find_backend(name or DEFAULT_BACKEND)


class _Worker:
    def __init__(self, root: Path, memory_mib: int, wrapper: list[str]) -> None:
        self.id = secrets.token_hex(8)
        self.directory = root / f"worker-{self.id}"
        self.directory.mkdir(parents=True)
        command = [part.replace("{dir}", str(self.directory)) for part in wrapper]
        marker = {WORKER_MARKER: self.id}  # inherited by all the job starts
        self.process = ProgramProcess(self.directory, memory_mib, command, env=marker)


class Executor:
    def __init__(
        self,
        store: Store,
        *,
        workers: int = 2,
        memory_mib: int = 4096,
        max_execution_time: int = 3 * 3600,
        sandbox: list[str] | None = None,
        on_message: MessageSink | None = None,
    ) -> None:
        self.store = store
        self.workers = workers
        self.memory_mib = memory_mib
        self.cap = max_execution_time
        self.wrapper = sandbox or []
        self.on_message = on_message or (lambda job_id, number, text: None)
        self._root = store.data_dir / "work"
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._warm: queue.Queue[_Worker] = queue.Queue()
        self._running: dict[str, _Worker] = {}
        self._cancelled: set[str] = set()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._stopping = False

    def start(self) -> None:
        """Recover from the last stop, warm the workers and start taking jobs."""
        shutil.rmtree(self._root, ignore_errors=True)
        self._root.mkdir(parents=True)
        for row in self.store.query("SELECT id, worker FROM jobs WHERE status = ?", RUNNING):
            if row["worker"]:
                kill_marked_processes(row["worker"])  # what the dead service's job left behind
            self.store.set_job_state(
                row["id"], FAILED, reason=STOPPED_REASON, result=STOPPED_REASON
            )
        for _ in range(self.workers):
            self._warm.put(self._new_worker())
        for row in self.store.query("SELECT id FROM jobs WHERE status = ? ORDER BY seq", QUEUED):
            self._queue.put(row["id"])
        for _ in range(self.workers):
            thread = threading.Thread(target=self._serve, daemon=True, name="runtime-kit-job")
            thread.start()
            self._threads.append(thread)

    def submit(self, job_id: str) -> None:
        self._queue.put(job_id)

    def cancel(self, job_id: str) -> bool:
        """Cancel a queued or running job; False if it had already ended."""
        with self._lock:
            self._cancelled.add(job_id)
            worker = self._running.get(job_id)
        moved = self.store.set_job_state(job_id, CANCELLED, reason="cancelled by request")
        if worker is not None:
            worker.process.kill()
        if moved:
            self.on_message(job_id, None, None)
        return moved

    def stop(self) -> None:
        self._stopping = True
        for _ in self._threads:
            self._queue.put(None)
        with self._lock:
            for worker in self._running.values():
                worker.process.kill()
        while not self._warm.empty():
            self._warm.get().process.call_off()
        for thread in self._threads:
            thread.join(timeout=15)

    # --- one job -----------------------------------------------------------------------

    def _serve(self) -> None:
        while True:
            job_id = self._queue.get()
            if job_id is None or self._stopping:
                return
            try:
                self._run(job_id)
            except Exception as exc:  # noqa: BLE001  (the service must outlive any job)
                self.store.set_job_state(job_id, FAILED, reason=f"service error: {exc}")
                self.on_message(job_id, None, None)

    def _run(self, job_id: str) -> None:
        job = self.store.query_one("SELECT * FROM jobs WHERE id = ?", job_id)
        if job is None or job["status"] != QUEUED:
            return
        program = self.store.query_one("SELECT * FROM programs WHERE id = ?", job["program_id"])
        if program is None:
            self._fail(job_id, "the program was deleted before the job started")
            return
        worker = self._take_worker()
        try:
            self._run_in(worker, job, program)
        finally:
            with self._lock:
                self._running.pop(job_id, None)
                self._cancelled.discard(job_id)
            shutil.rmtree(worker.directory, ignore_errors=True)
            if not self._stopping:
                self._warm.put(self._new_worker())

    def _run_in(self, worker: _Worker, job: Any, program: Any) -> None:
        job_id = job["id"]
        program = self.store.program_at(program, job["version"]) or dict(program)
        directory = worker.directory / "program"
        unpack(
            ProgramData(self.store.get_blob(program["data_digest"]), program["data_kind"]),
            directory,
        )
        entry = _entry_point(directory)
        paths = [str(self._installed(wheel)) for wheel in sorted(directory.glob("wheels/*.whl"))]
        spec = json.loads(program["spec"])
        with self._lock:
            if job_id in self._cancelled:
                worker.process.call_off()
                return
            self._running[job_id] = worker
        if not self.store.set_job_state(job_id, RUNNING, worker=worker.id):
            worker.process.call_off()
            return
        requirements = spec.get("backend_requirements") if isinstance(spec, dict) else None
        worker.process.send(
            {
                "program": str(entry),
                "inputs": job["params"],
                "backend": list(backend_spec(job["backend"]) or BACKENDS[DEFAULT_BACKEND]),
                "seed": secrets.randbelow(2**31),
                "shots": None,
                "min_num_qubits": (requirements or {}).get("min_num_qubits"),
                "paths": paths,
            }
        )
        limit = min(program["cost"], job["cost"] or math.inf, self.cap)
        collected = _Collected()
        outcome = worker.process.watch(
            limit, lambda kind, payload: self._frame(job_id, worker, collected, kind, payload)
        )
        if outcome.timed_out:
            reason = f"ran longer than {limit:g} s (max_execution_time)"
            moved = self.store.set_job_state(
                job_id, RAN_TOO_LONG, reason=reason, result=reason, logs=outcome.logs
            )
        elif collected.result is not None:
            moved = self.store.set_job_state(
                job_id, COMPLETED, result=collected.result, logs=outcome.logs
            )
        else:
            error = collected.error or describe_exit(outcome.returncode)
            moved = self.store.set_job_state(
                job_id, FAILED, reason=error.split("\n")[0], result=error, logs=outcome.logs
            )
        if not moved:  # cancelled meanwhile: keep what it logged
            with self.store.transaction() as db:
                db.execute("UPDATE jobs SET logs = ? WHERE id = ?", (outcome.logs, job_id))
        self.on_message(job_id, None, collected.result if moved else None)

    def _frame(
        self, job_id: str, worker: _Worker, collected: _Collected, kind: str, payload: str
    ) -> None:
        if collected.refused:
            return
        if kind in (frames.INTERIM, frames.RESULT) and len(payload) > MAX_MESSAGE_BYTES:
            what = "an interim result" if kind == frames.INTERIM else "the result"
            collected.error = f"{what} of {len(payload)} bytes exceeds {MAX_MESSAGE_BYTES} bytes"
            collected.result = None
            collected.refused = True
            worker.process.kill()
        elif kind == frames.INTERIM:
            number = self.store.append_interim(job_id, payload)
            self.on_message(job_id, number, payload)
        elif kind == frames.RESULT:
            collected.result = payload
        elif kind in (frames.FAILED, frames.REJECTED):
            details = json.loads(payload)
            trace = details.get("traceback") or ""
            collected.error = f"{details['error']}\n{trace}".rstrip("\n")

    def _installed(self, wheel: Path) -> Path:
        """The wheel installed (without dependencies) in its own directory, cached by digest:
        the program's package as it was built, ahead of its sources on ``sys.path``."""
        import hashlib
        import subprocess
        import sys
        import tempfile

        digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
        target = self.store.data_dir / "envs" / digest
        if target.is_dir():
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=".tmp-"))
        done = subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
             "--disable-pip-version-check", "--target", str(staging), str(wheel)],
            capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            shutil.rmtree(staging, ignore_errors=True)
            raise ValueError(f"installing {wheel.name} failed: {done.stderr.strip()[-300:]}")
        try:
            os.replace(staging, target)
        except OSError:  # another job installed it meanwhile
            shutil.rmtree(staging, ignore_errors=True)
        return target

    def _fail(self, job_id: str, reason: str) -> None:
        if self.store.set_job_state(job_id, FAILED, reason=reason, result=reason):
            self.on_message(job_id, None, None)

    def _take_worker(self) -> _Worker:
        while True:
            try:
                worker = self._warm.get_nowait()
            except queue.Empty:
                return self._new_worker()
            if worker.process.alive():
                return worker
            with contextlib.suppress(OSError):
                worker.process.call_off()

    def _new_worker(self) -> _Worker:
        return _Worker(self._root, self.memory_mib, self.wrapper)


class _Collected:
    def __init__(self) -> None:
        self.result: str | None = None
        self.error: str | None = None
        self.refused = False  # a limit was hit: the job is being killed, ignore the rest


def _entry_point(directory: Path) -> Path:
    from runtime_kit.project import locate

    layout, _ = locate(directory)
    if layout.program is None:
        raise ValueError("the program bundle has no program module")
    return layout.program


def kill_marked_processes(worker_id: str) -> int:
    """Kill every process whose environment carries ``worker_id`` (Linux ``/proc``)."""
    needle = f"{WORKER_MARKER}={worker_id}".encode()
    killed = 0
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if needle not in environ.read_bytes().split(b"\0"):
                continue
            os.kill(int(environ.parent.name), signal.SIGKILL)
            killed += 1
        except (OSError, ValueError):
            continue
    return killed
