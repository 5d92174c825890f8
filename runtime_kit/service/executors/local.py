"""``local``: jobs in warm, confined worker processes on the service's machine.

Each worker is a harness child (``ProgramProcess``) started ahead, confined as
``Isolation`` says (bubblewrap, its own cgroup and uid), that has already imported qiskit
and Aer.  A job takes one, sends it the program's bundle and inputs, and the worker runs
exactly that job and ends; everything it started is killed with it, and a new warm worker
takes its place.  So a crash, a leak or a killed job never affects the next one, and a
trivial job does not pay qiskit's import.  A job on a backend that a ``broker`` serves (IBM
Quantum hardware) keeps its worker's stdin open for the broker's answers
(``runtime_kit.harness.broker``); when it ends, the broker cancels what it left.  A new
warm worker prepares the backends the operator named (``--prepare-backends``) and those of
the last jobs that got theirs (a device snapshot's target and noise code), so that the next
job on the same device starts with it ready.

Workers are started from the executor's own long-lived threads: a confined process dies
with the thread that started it (``PR_SET_PDEATHSIG``), so never from a request handler.
"""

from __future__ import annotations

import base64
import collections
import queue
import secrets
import shutil
import signal
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from runtime_kit.harness import frames
from runtime_kit.harness.broker import Broker, BrokerLink
from runtime_kit.harness.limit_errors import memory_cap, memory_failure_in
from runtime_kit.harness.process import ProgramProcess, signal_of
from runtime_kit.sandbox.isolation import Confinement, Isolation
from runtime_kit.sandbox.limits import MIB, JobLimits
from runtime_kit.service.executors import JobEnd, JobEvents, JobRequest


class _Worker:
    """A job's process; ``environment``: the program's own (its interpreter runs the job-side
    runner, its directory and base installation are shown read-only), or an overlay (runtime-
    kit's own child, the overlay's directory shown read-only and added to its path), else
    runtime-kit's; runtime-kit's own child prepares the backends of ``prepare`` while it
    waits."""

    def __init__(
        self,
        isolation: Isolation,
        root: Path,
        environment: Any = None,
        prepare: Sequence[Sequence[str]] = (),
    ) -> None:
        self.id = secrets.token_hex(8)
        self.host_dir = root / f"worker-{self.id}"
        if not isolation.isolated:
            self.host_dir.mkdir(parents=True)
        reads = [] if environment is None else [str(environment.path), environment.base_prefix]
        if environment is not None and environment.overlay:
            reads = [str(environment.path)]  # runtime-kit's own interpreter: in every layout
        own_python = environment is not None and not environment.overlay
        self.confinement: Confinement = isolation.confine(
            f"worker-{self.id}", self.host_dir, reads=reads
        )
        self.limit: str | None = None  # a cap seen hit while it ran
        try:
            self.process = ProgramProcess(
                self.host_dir if not isolation.isolated else root,
                0,
                wrap=self.confinement.wrap,
                env=self.confinement.env,
                max_log_bytes=isolation.limits.log_mib * MIB,
                python=environment.python if own_python else None,
                prepare=prepare,
            )
        except BaseException:
            isolation.release(self.confinement)
            raise

    def kill(self) -> None:
        self.process.kill()
        if self.confinement.cgroup is not None:
            self.confinement.cgroup.kill()


#: Backends of the last jobs that new warm workers prepare too (beyond ``--prepare-backends``).
RECENT_BACKENDS = 2
#: Providers with nothing to prepare: their backends are not remembered.
NOTHING_TO_PREPARE = ("simulators",)


class _Preparations:
    """What a new warm worker prepares: the backends the operator named, and those of the
    last jobs that got their backend (a second job on a device finds it ready)."""

    def __init__(self, fixed: Sequence[Sequence[str]]) -> None:
        self.fixed = [list(spec) for spec in fixed]
        self._recent: collections.deque[list[str]] = collections.deque(maxlen=RECENT_BACKENDS)
        self._lock = threading.Lock()

    def started(self, backend: list[Any]) -> None:
        spec = [str(part) for part in backend]
        if spec[0] in NOTHING_TO_PREPARE or spec in self.fixed:
            return
        with self._lock:
            if spec in self._recent:
                self._recent.remove(spec)
            self._recent.append(spec)

    def forget_recent(self) -> None:
        with self._lock:
            self._recent.clear()

    def specs(self) -> list[list[str]]:
        with self._lock:
            return [*self.fixed, *self._recent]

    def noting(
        self, backend: list[Any], on_frame: Callable[[str, str], None]
    ) -> Callable[[str, str], None]:
        """``on_frame``, remembering ``backend`` when the job says it got it."""

        def note(kind: str, payload: str) -> None:
            if kind == frames.STARTED:
                self.started(backend)
            on_frame(kind, payload)

        return note


class LocalExecutor:
    name = "local"

    def __init__(
        self,
        *,
        data_dir: Path,
        isolation: Isolation,
        workers: int = 2,
        prepare: Sequence[Sequence[str]] = (),
        broker: Broker | None = None,
    ) -> None:
        self.slots = workers
        self.preparations = _Preparations(prepare)
        self.broker = broker
        self.isolation = isolation
        self.limits: JobLimits = isolation.limits
        self._root = data_dir / "work"
        self._warm: queue.Queue[_Worker] = queue.Queue()
        self._running: dict[str, _Worker] = {}
        self._killed: set[str] = set()
        self._lock = threading.Lock()
        self._stopping = False

    def start(self) -> None:
        if self._root.exists():
            shutil.rmtree(self._root)
        self._root.mkdir(parents=True)
        precompile_package()
        for _ in range(self.slots):
            self._warm.put(self._new_worker())

    def run(self, request: JobRequest, events: JobEvents) -> JobEnd:
        own = request.environment is not None
        worker = _Worker(self.isolation, self._root, request.environment) if own else None
        worker = worker or self._take_worker()
        with self._lock:
            self._running[request.job_id] = worker
            killed = request.job_id in self._killed
        link = None
        if self.broker is not None and self.broker.serves(request.backend):
            link = BrokerLink(self.broker, request.job_id, request.backend, worker.process)
        on_frame = self.preparations.noting(request.backend, events.frame)
        try:
            if killed:
                return JobEnd(False, None, "")
            worker.process.send(self._job(request), keep_stdin=link is not None)
            outcome = worker.process.watch(
                request.time_limit_s,
                on_frame if link is None else link.frames(on_frame),
                on_log=events.log,
                check=lambda: self._over_limits(worker),
                max_frame_bytes=self.limits.message_mib * MIB,
            )
            return JobEnd(
                outcome.timed_out,
                outcome.returncode,
                outcome.logs,
                self._limit_hit(worker, outcome.returncode, outcome.logs),
            )
        finally:
            with self._lock:
                self._running.pop(request.job_id, None)
                self._killed.discard(request.job_id)
            self._discard(worker)
            if link is not None:
                link.end()  # what the job left on the hardware is cancelled
            if not self._stopping and not own:
                self._warm.put(self._new_worker())

    def kill(self, job_id: str) -> None:
        with self._lock:
            self._killed.add(job_id)
            worker = self._running.get(job_id)
        if worker is not None:
            worker.kill()

    def stop(self) -> None:
        self._stopping = True
        with self._lock:
            running = list(self._running.values())
        for worker in running:
            worker.kill()
        while not self._warm.empty():
            self._discard(self._warm.get())

    def describe(self) -> dict[str, Any]:
        return {"executor": self.name, "workers": self.slots, **self.isolation.describe()}

    # --- helpers -------------------------------------------------------------------------

    def _job(self, request: JobRequest) -> dict[str, Any]:
        entry = {} if request.script is None else {"entrypoint": "script", "script": request.script}
        return {
            **entry,
            "bundle": base64.b64encode(request.bundle).decode("ascii"),
            "bundle_kind": request.bundle_kind,
            "inputs": request.inputs,
            "backend": request.backend,
            "seed": request.seed,
            "shots": None,
            "min_num_qubits": request.min_num_qubits,
            "limits": self._limits_seen_by_job(),
            "site_paths": [str(env.path)] if (env := request.environment) and env.overlay else [],
            "log_level": request.log_level,
        }

    def _limits_seen_by_job(self) -> dict[str, Any]:
        scope = "job" if self.isolation.cgroups is not None else "process"
        return {**self.limits.describe(), "memory_scope": scope}

    def _take_worker(self) -> _Worker:
        while True:
            try:
                worker = self._warm.get_nowait()
            except queue.Empty:
                return self._new_worker()
            if worker.process.alive():
                return worker
            self._discard(worker)
            self.preparations.forget_recent()  # in case preparing them is what killed it

    def _new_worker(self) -> _Worker:
        return _Worker(self.isolation, self._root, prepare=self.preparations.specs())

    def _discard(self, worker: _Worker) -> None:
        worker.kill()
        worker.process.call_off()
        self.isolation.release(worker.confinement)
        if not self.isolation.isolated:
            shutil.rmtree(worker.host_dir)

    def _over_limits(self, worker: _Worker) -> bool:
        """Polled while the job runs: a cap its cgroup saw hit (CPU time; memory or tasks,
        even when only a child process was refused) ends the job."""
        worker.limit = self._cgroup_limit(worker)
        return worker.limit is not None

    def _cgroup_limit(self, worker: _Worker) -> str | None:
        cgroup = worker.confinement.cgroup
        if cgroup is None:
            return None
        used = cgroup.cpu_seconds()
        if used is not None and used > self.limits.cpu_time_cap_s:
            return f"CPU time ({self.limits.cpu_time_cap_s} s)"
        events = cgroup.events()
        if events.oom_kills:
            return memory_cap(self._limits_seen_by_job())
        if events.pids_refused:
            return f"processes and threads ({self.limits.max_tasks})"
        return None

    def _limit_hit(self, worker: _Worker, returncode: int | None, logs: str) -> str | None:
        """The cap that ended the job (or was hit on the way), as far as the executor can
        tell: what the cgroup saw, else what rlimits make a process die of."""
        found = worker.limit or self._cgroup_limit(worker)
        if found:
            return found
        if signal_of(returncode, self.isolation.isolated) == signal.SIGXCPU:
            return f"CPU time ({self.limits.cpu_time_cap_s} s per process)"
        memory = memory_failure_in(logs, self._limits_seen_by_job()) if returncode else None
        return memory.removeprefix("limit reached: ") if memory else None


def precompile_package() -> bool:
    """Compile runtime_kit's bytecode once, where it may be written (pip does this at
    install; an editable checkout has none): every worker imports these modules, and in a
    sandbox it cannot write their bytecode, so it would compile them again, each job."""
    import compileall
    import os

    import runtime_kit

    package = Path(runtime_kit.__file__).parent
    if not os.access(package, os.W_OK):
        return False
    return bool(compileall.compile_dir(package, quiet=2, workers=1))
