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

A job in a program environment takes a worker of that environment: an overlay's is
runtime-kit's own child, forked by the template where there is one, the overlay's directory
shown to that job alone; an environment of its own's runs that environment's interpreter,
forked by a template of that environment's own (on its interpreter, with its Qiskit
imported) where the fork path holds.  The last ``warm_environments`` environments whose jobs
ran each keep one warm worker and, on the fork path, their template (started after such a
job ends, as the default pool's are; each keeps its environment from the cache's eviction,
and a template left behind ends once no job it forked is left), so the next job in an
environment does not wait for its imports either; a job finding neither starts a fresh
process.

Workers are started from the executor's own long-lived threads: a confined process dies
with the thread that started it (``PR_SET_PDEATHSIG``), so never from a request handler.
"""

from __future__ import annotations

import base64
import collections
import os
import queue
import secrets
import shutil
import signal
import threading
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, ExitStack
from pathlib import Path
from typing import Any, Generic, TypeVar

from runtime_kit.harness import frames
from runtime_kit.harness.broker import Broker, BrokerLink
from runtime_kit.harness.limit_errors import memory_cap, memory_failure_in
from runtime_kit.harness.process import ProgramProcess, signal_of
from runtime_kit.sandbox.isolation import Confinement, Isolation, SandboxError
from runtime_kit.sandbox.limits import MIB, JobLimits
from runtime_kit.sandbox.warm_template import WARM_TIMEOUT_S, TemplateError, WarmTemplate
from runtime_kit.service.executors import JobEnd, JobEvents, JobRequest

#: How a job's process starts: ``fork`` (from a warm template), ``exec`` (a fresh process),
#: ``auto`` (fork where it can be set up, else exec).
JOB_STARTS = ("auto", "fork", "exec")
PROBE_TIMEOUT_S = 60.0
#: How long a new worker waits for the template to start (its warm-up and probe).
TEMPLATE_WAIT_S = WARM_TIMEOUT_S + PROBE_TIMEOUT_S
FORKED = (
    "jobs of runtime-kit's own environment forked from a warm template, each confined as "
    "bubblewrap confines the others: the same namespaces, uid, cgroup, rlimits, capabilities "
    "and seccomp filter, set up by the forked process itself"
)


class _Worker:
    """A job's process; ``environment``: the program's own (its interpreter runs the job-side
    runner, its directory and base installation are shown read-only), or an overlay (runtime-
    kit's own child, the overlay's directory shown read-only and added to its path), else
    runtime-kit's; runtime-kit's own child (an overlay's too) is forked by ``template`` when
    there is one, else started afresh, and prepares the backends of ``prepare`` while it
    waits (a forked one: those its template has not)."""

    def __init__(
        self,
        isolation: Isolation,
        root: Path,
        environment: Any = None,
        template: WarmTemplate | None = None,
        prepare: Sequence[Sequence[str]] = (),
    ) -> None:
        self.id = secrets.token_hex(8)
        self.host_dir = root / f"worker-{self.id}"
        if not isolation.isolated:
            self.host_dir.mkdir(parents=True)
        reads = environment_reads(environment)
        own_python = environment is not None and not environment.overlay
        self.confinement: Confinement = isolation.confine(
            f"worker-{self.id}", self.host_dir, reads=reads
        )
        self.limit: str | None = None  # a cap seen hit while it ran
        #: what the worker holds until it is discarded (its environment, kept from eviction)
        self.holds = ExitStack()
        try:
            if template is not None:
                plan = {**self.confinement.fork_plan, "prepare": [list(spec) for spec in prepare]}
                self.process = ProgramProcess.forked(
                    template,
                    plan,
                    isolation.limits.log_mib * MIB,
                    # an environment of its own's template shows its installation to all
                    reads=[] if own_python else reads,
                )
                return
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


def environment_reads(environment: Any) -> list[str]:
    """Host paths a job of ``environment`` reads: an environment of its own's installation
    and the Python it comes from; an overlay's directory (runtime-kit's own interpreter is in
    every layout)."""
    if environment is None:
        return []
    if environment.overlay:
        return [str(environment.path)]
    return [str(environment.path), environment.base_prefix]


#: Program environments that keep a warm worker each, by default (``--warm-environments``).
WARM_ENVIRONMENTS = 2

_Kept = TypeVar("_Kept")


class _LastEnvironments(Generic[_Kept]):
    """One thing (a warm worker, a template) for each of the last ``limit`` environments
    whose jobs ran (by key, the least recently used one given up first)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._kept: collections.OrderedDict[str, _Kept] = collections.OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: str) -> _Kept | None:
        with self._lock:
            return self._kept.pop(key, None)

    def get(self, key: str) -> _Kept | None:
        """The one kept for ``key``, which counts as used now."""
        with self._lock:
            if key in self._kept:
                self._kept.move_to_end(key)
            return self._kept.get(key)

    def wanted(self, key: str) -> bool:
        with self._lock:
            return self.limit > 0 and key not in self._kept

    def keep(self, key: str, kept: _Kept) -> list[_Kept]:
        """Keep ``kept`` for ``key``; returns those to give up (beyond the limit, or
        ``kept`` itself when ``key`` has one already)."""
        with self._lock:
            extra = [kept] if key in self._kept else []
            if not extra:
                self._kept[key] = kept
            while len(self._kept) > self.limit:
                extra.append(self._kept.popitem(last=False)[1])
            return extra

    def held(self) -> list[str]:
        """The keys of what is kept, least recently used first."""
        with self._lock:
            return list(self._kept)

    def take_all(self) -> list[_Kept]:
        with self._lock:
            kept = list(self._kept.values())
            self._kept.clear()
            return kept


class _LentTemplate:
    """The template of a program environment of its own, lent to the workers it forks: once
    given up (``retire``) it ends when the last of them is discarded (its jobs die with it)."""

    def __init__(self, template: WarmTemplate, holds: ExitStack) -> None:
        self.template = template
        self._holds = holds  # its environment, kept from the cache's eviction
        self._workers = 0
        self._retired = False
        self._lock = threading.Lock()

    def borrow(self) -> bool:
        """Count one more worker it forks (False: it has been given up meanwhile)."""
        with self._lock:
            if self._retired:
                return False
            self._workers += 1
            return True

    def retire(self) -> None:
        with self._lock:
            self._retired = True
            unused = self._workers == 0
        if unused:
            self._close()

    def give_back(self) -> None:
        with self._lock:
            self._workers -= 1
            done = self._retired and self._workers == 0
        if done:
            self._close()

    def _close(self) -> None:
        try:
            self.template.close()
        finally:
            self._holds.close()


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

    def recent(self) -> list[list[str]]:
        with self._lock:
            return list(self._recent)

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
        job_start: str = "auto",
        prepare: Sequence[Sequence[str]] = (),
        broker: Broker | None = None,
        warm_environments: int = WARM_ENVIRONMENTS,
        keep_environment: Callable[[Any], AbstractContextManager[Any]] | None = None,
    ) -> None:
        """``keep_environment``: a context in which a program environment is not evicted
        from its cache (none: warm workers of environments are not kept)."""
        if job_start not in JOB_STARTS:
            raise SandboxError(
                f"unknown job start {job_start!r}: choose one of {', '.join(JOB_STARTS)}"
            )
        self.job_start = job_start
        #: forks the jobs of runtime-kit's own environment, when the fork path holds
        self.template: WarmTemplate | None = None
        #: why jobs start as they do (said in /health)
        self.job_start_reason = ""
        self.slots = workers
        self.preparations = _Preparations(prepare)
        self.broker = broker
        self.isolation = isolation
        self.limits: JobLimits = isolation.limits
        self._root = data_dir / "work"
        self._warm: queue.Queue[_Worker] = queue.Queue()
        self._keep_environment = keep_environment
        kept = warm_environments if keep_environment is not None else 0
        self._environment_workers: _LastEnvironments[_Worker] = _LastEnvironments(kept)
        #: the templates of environments of their own (on the fork path)
        self._environment_templates: _LastEnvironments[_LentTemplate] = _LastEnvironments(kept)
        #: why an environment's template could not start (its jobs start afresh), by key
        self._template_failures: dict[str, str] = {}
        self._running: dict[str, _Worker] = {}
        self._killed: set[str] = set()
        self._lock = threading.Lock()
        self._stopping = False
        #: set once the template has started or cannot (until then a new worker waits)
        self._settled = threading.Event()
        self._template_lock = threading.Lock()
        #: templates still warming up (stop ends them): runtime-kit's own, an environment's
        self._warming: set[WarmTemplate] = set()
        #: the last failure to discard a worker or to warm the next (for /health)
        self.aftercare_failure: str | None = None
        #: what follows a job's end off its slot's thread: discard its worker, warm the next
        self._aftercare: queue.Queue[Callable[[], None] | None] = queue.Queue()
        self._aftercare_thread = threading.Thread(
            target=self._serve_aftercare, daemon=True, name="worker-aftercare"
        )

    def start(self) -> None:
        if self._root.exists():
            shutil.rmtree(self._root)
        self._root.mkdir(parents=True)
        precompile_package()
        self._aftercare_thread.start()
        if self.job_start == "auto" and fork_unavailable(self.isolation) is None:
            # Warmed off the start: the service answers meanwhile, a job waits for it.
            self._aftercare.put(self._warm_up)
            return
        self._warm_up()  # exec, or fork as asked: refused now (exit 3) if it cannot be

    def _warm_up(self) -> None:
        """The template (when it holds), then the pool of warm workers."""
        try:
            self._start_template()
        finally:
            self._settled.set()
        for _ in range(self.slots):
            if self._stopping:
                return
            self._warm.put(self._new_worker())

    def run(self, request: JobRequest, events: JobEvents) -> JobEnd:
        environment = request.environment
        if environment is None:
            worker = self._take_worker()
        else:
            worker = self._take_environment_worker(environment)
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
            if worker.process.alive():  # an error or a cancel: none of it outlives the call
                worker.kill()
            if link is not None:
                link.end()  # what the job left on the hardware is cancelled
            if self._stopping:
                self._discard(worker)
            else:
                # The job has ended: its result need not wait for what it left to be
                # killed (a sandboxed job's pid namespace ended with it; its cgroup is
                # killed next), nor for the next warm worker (a fork waits for the template).
                self._aftercare.put(lambda: self._discard(worker))
                if environment is None:
                    self._aftercare.put(self._warm_another)
                else:
                    self._aftercare.put(lambda: self._warm_environment(environment))

    def kill(self, job_id: str) -> None:
        with self._lock:
            self._killed.add(job_id)
            worker = self._running.get(job_id)
        if worker is not None:
            worker.kill()

    def stop(self) -> None:
        self._stopping = True
        for warming in list(self._warming):
            warming.kill()  # ends its warm-up at once
        if self._aftercare_thread.is_alive():
            self._aftercare.put(None)
            self._aftercare_thread.join(timeout=60)
        while not self._aftercare.empty():  # what came after the end of the thread
            task = self._aftercare.get()
            if task is not None:
                task()
        with self._lock:
            running = list(self._running.values())
        for worker in running:
            worker.kill()
        while not self._warm.empty():
            self._discard(self._warm.get())
        for worker in self._environment_workers.take_all():
            self._discard(worker)
        for lent in self._environment_templates.take_all():
            lent.retire()  # ends once the workers it lent to are discarded
        if self.template is not None:
            self.template.close()

    def describe(self) -> dict[str, Any]:
        described: dict[str, Any] = {
            "executor": self.name,
            "workers": self.slots,
            **self.isolation.describe(),
            "warm_environments": {
                "limit": self._environment_workers.limit,
                "warm": [key[:12] for key in self._environment_workers.held()],
                "templates": [key[:12] for key in self._environment_templates.held()],
                "template_failures": {  # (a copy: the aftercare thread adds to it)
                    key[:12]: reason for key, reason in dict(self._template_failures).items()
                },
            },
        }
        template = self.template
        path = "fork" if template is not None else "exec"
        described["job_start"] = {
            "asked": self.job_start,
            "path": path if self._settled.is_set() else "starting",
            "reason": self.job_start_reason or "the warm template is warming up",
            "template": None if template is None else template.ready,
        }
        if self.aftercare_failure is not None:
            described["worker_failure"] = self.aftercare_failure
        if template is not None:
            described["mechanisms"] = [*described["mechanisms"], FORKED]
        return described

    # --- after a job ----------------------------------------------------------------------

    def _serve_aftercare(self) -> None:
        """A long-lived thread (a confined process dies with the thread that started it)."""
        while (task := self._aftercare.get()) is not None:
            try:
                task()
            except Exception as exc:  # noqa: BLE001  (said in /health; a job takes a worker
                # started on demand meanwhile)
                self.aftercare_failure = f"{type(exc).__name__}: {exc}"

    def _warm_another(self) -> None:
        if not self._stopping:
            self._warm.put(self._new_worker())

    def _warm_environment(self, environment: Any) -> None:
        """A warm worker for ``environment``, whose job has just ended (kept among the last
        environments' workers, beyond which the least recently used one is discarded)."""
        if self._stopping or not self._environment_workers.wanted(environment.key):
            return
        worker = self._environment_worker(environment, warm=True)
        assert self._keep_environment is not None  # else no environment is wanted
        try:
            worker.holds.enter_context(self._keep_environment(environment))
        except BaseException:
            self._discard(worker)
            raise
        for extra in self._environment_workers.keep(environment.key, worker):
            self._discard(extra)
        if self._stopping:  # stop has taken the workers before this one came
            for extra in self._environment_workers.take_all():
                self._discard(extra)

    def _take_environment_worker(self, environment: Any) -> _Worker:
        worker = self._environment_workers.take(environment.key)
        if worker is not None:
            if worker.process.alive():
                return worker
            self._discard(worker)
        return self._environment_worker(environment, warm=False)

    def _environment_worker(self, environment: Any, *, warm: bool) -> _Worker:
        """A worker of a program environment.  An overlay's job runs runtime-kit's own child:
        forked by the template when there is one (the overlay shown to that job alone), and
        a warm one prepares what a worker of runtime-kit's own would.  An environment of its
        own's is forked by its template when it has one (a warm worker's starts it)."""
        if not environment.overlay:
            lent = self._environment_template(environment, start=warm)
            if lent is not None and lent.borrow():
                try:
                    worker = _Worker(
                        self.isolation, self._root, environment, template=lent.template
                    )
                except BaseException as exc:
                    lent.give_back()
                    if not isinstance(exc, TemplateError | OSError):
                        raise
                    # a fresh process, said in /health (a dead template is replaced after)
                    self.aftercare_failure = f"an environment's job started afresh: {exc}"
                else:
                    worker.holds.callback(lent.give_back)
                    return worker
            return _Worker(self.isolation, self._root, environment)
        # (a job waits for a template still warming up, as one of runtime-kit's own does)
        settled = self._settled.wait(timeout=TEMPLATE_WAIT_S)
        template = self.template if settled else None
        if template is not None and template.alive():
            prepare = self.preparations.recent() if warm else []
            try:
                return _Worker(
                    self.isolation, self._root, environment, template=template, prepare=prepare
                )
            except TemplateError as exc:  # a fresh process, said in /health
                self.aftercare_failure = f"an overlay's job started afresh: {exc}"
        prepare = self.preparations.specs() if warm else []
        return _Worker(self.isolation, self._root, environment, prepare=prepare)

    def _environment_template(self, environment: Any, *, start: bool) -> _LentTemplate | None:
        """The template of a program environment of its own, when the fork path holds;
        ``start``: start one if it has none alive (only the aftercare thread does)."""
        if self.template is None or self._environment_templates.limit == 0:
            return None  # the fork path does not hold (or is not settled yet)
        key = environment.key
        lent = self._environment_templates.get(key)
        if lent is not None and lent.template.alive():
            return lent
        if not start or key in self._template_failures:
            return None
        try:
            template = self._probed_template(environment)
        except TemplateError as exc:  # its jobs start afresh, said in /health
            self._template_failures[key] = str(exc)
            return None
        holds = ExitStack()
        assert self._keep_environment is not None  # else no environment is kept
        try:
            holds.enter_context(self._keep_environment(environment))
        except BaseException:
            template.close()
            raise
        lent = _LentTemplate(template, holds)
        dead = self._environment_templates.take(key)
        if dead is not None:
            dead.retire()
        for extra in self._environment_templates.keep(key, lent):
            extra.retire()
        if self._stopping:  # stop has taken the templates before this one came
            for extra in self._environment_templates.take_all():
                extra.retire()
        return lent

    # --- the fork path -------------------------------------------------------------------

    def _start_template(self) -> None:
        """The fork path when asked and possible (``auto``: else the exec path, saying why)."""
        if self.job_start == "exec":
            self.job_start_reason = "asked (--job-start exec): a fresh process per job"
            return
        unavailable = fork_unavailable(self.isolation)
        if unavailable is None:
            try:
                self.template = self._probed_template()
            except TemplateError as exc:
                unavailable = str(exc)
        if unavailable is not None:
            if self.job_start == "fork":
                raise SandboxError(f"--job-start fork: {unavailable}")
            self.job_start_reason = f"a fresh process per job: {unavailable}"
            return
        self.job_start_reason = (
            "a warm template forks each job of runtime-kit's own environment (overlays too), "
            "and one of each environment of its own forks its jobs (the last "
            f"{self._environment_templates.limit}: --warm-environments)"
        )

    def _probed_template(self, environment: Any = None) -> WarmTemplate:
        """A started template (runtime-kit's own, or of ``environment``, an environment of
        its own) that has forked one confined process which ended cleanly."""
        isolation = self.isolation
        layout = isolation.fork_layout()
        reads = environment_reads(environment)
        layout["reads"] = [*layout["reads"], *reads]
        # The operator's backends only: those of recent jobs cannot reach a running template
        # (an environment of its own has none of runtime-kit's devices).
        backends = self.preparations.fixed if environment is None else []
        python = None if environment is None else environment.python
        template = WarmTemplate(layout, isolation.seccomp_filter, backends, python)
        self._warming.add(template)
        if self._stopping:
            template.kill()
        try:
            template.wait_ready()
        finally:
            self._warming.discard(template)
        confinement = isolation.confine("probe-fork", self._root, reads=reads)
        try:
            process = ProgramProcess.forked(template, confinement.fork_plan, 64 * 1024)
            outcome = process.watch_unused(PROBE_TIMEOUT_S)
        except BaseException:
            template.close()
            raise
        finally:
            isolation.release(confinement)
        if outcome.timed_out or outcome.returncode != 0:
            template.close()
            lines = outcome.logs.strip().splitlines()
            why = lines[-1] if lines else f"exit status {outcome.returncode}"
            raise TemplateError(f"a forked job cannot be confined here ({why})")
        return template

    def _new_worker(self) -> _Worker:
        """A warm worker of runtime-kit's own environment: forked by the template, or started
        afresh (a template that has died is replaced first)."""
        if not self._settled.wait(timeout=TEMPLATE_WAIT_S):
            raise TemplateError(f"the warm template has not started in {TEMPLATE_WAIT_S:g} s")
        with self._template_lock:  # one replacement, whichever thread finds it dead
            if self.template is not None and not self.template.alive():
                self.template.close()
                self.template = self._probed_template()
        template = self.template
        # A template prepared the operator's backends at its start; a worker it forks
        # prepares those of the last jobs (which cannot reach a running template).
        prepare = self.preparations.specs() if template is None else self.preparations.recent()
        return _Worker(self.isolation, self._root, template=template, prepare=prepare)

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

    def _discard(self, worker: _Worker) -> None:
        worker.kill()
        worker.process.call_off()
        self.isolation.release(worker.confinement)
        if not self.isolation.isolated:
            shutil.rmtree(worker.host_dir)
        worker.holds.close()

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


def fork_unavailable(isolation: Isolation) -> str | None:
    """Why jobs cannot be forked from a warm template here (None: they can, if the probe
    agrees)."""
    if not isolation.isolated:
        return "jobs are not isolated here (--sandbox none or prefer without bubblewrap)"
    if isolation.uids is None:
        return "the service is not root (the fork path gives each job a uid of its own)"
    if not hasattr(os, "pidfd_open"):
        return "this Python has no pidfd_open"
    return None
