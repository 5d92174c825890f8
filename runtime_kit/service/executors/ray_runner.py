"""One slot of the ray executor, on a Ray node: the ``JobRunner`` actor.

A ``JobRunner`` confines jobs on its node exactly as the local executor does on the
service's machine: it hosts a ``LocalExecutor`` of one warm worker, with an ``Isolation``
built there (bubblewrap, a cgroup and an unprivileged uid per job, rlimits, an allow-listed
environment).  ``run`` is a streaming generator: it yields what the job sends as it comes
(``("frame", kind, payload)``, ``("log", chunk)``) and last ``("end", JobEnd, None)``, or
``("end", None, error)`` if the runner itself failed; the service iterates it.  ``kill``
runs beside it (the actor takes two calls at once).

Every job process is started from one long-lived thread of the actor (``_slot``): a confined
process dies with the thread that started it (bubblewrap's ``--die-with-parent``), and the
actor's own call threads are not ours to keep.  When the actor's process dies (killed, its
node lost, or its owner, the service, gone), its job's processes die with it.
"""

from __future__ import annotations

import queue
import threading
from typing import Any

import ray

from runtime_kit.sandbox.isolation import Isolation
from runtime_kit.sandbox.limits import JobLimits
from runtime_kit.service.executors import JobRequest
from runtime_kit.service.executors.local import LocalExecutor
from runtime_kit.service.executors.node_dirs import NODE_DIR, NodeDirectory

Event = tuple[Any, ...]


class _Queued:
    """``JobEvents`` that queue what the job sends for ``run`` to yield."""

    def __init__(self, events: queue.SimpleQueue[Event]) -> None:
        self._events = events

    def frame(self, kind: str, payload: str) -> None:
        self._events.put(("frame", kind, payload))

    def log(self, chunk: bytes) -> None:
        self._events.put(("log", chunk))


class JobRunner:
    """Args:
    sandbox: the service's ``--sandbox`` mode, applied on this node.
    limits: the caps of each job.
    key: names this runner's directory and cgroups on the node.
    allow_uncapped: start even where caps cannot hold per job (``Isolation``).
    prepare: backends its warm worker prepares before each job (``--prepare-backends``).
    """

    def __init__(
        self,
        sandbox: str,
        limits: JobLimits,
        key: str,
        allow_uncapped: bool = False,
        prepare: list[list[str]] | None = None,
    ) -> None:
        context = ray.get_runtime_context()
        node_ip = ray.util.get_node_ip_address()  # type: ignore[no-untyped-call]
        self.node = {"node_id": context.get_node_id(), "node_ip": node_ip}
        self._requests: queue.SimpleQueue[tuple[JobRequest, queue.SimpleQueue[Event]] | None]
        self._requests = queue.SimpleQueue()
        self._started: queue.SimpleQueue[BaseException | None] = queue.SimpleQueue()
        self._executor: LocalExecutor | None = None
        self._thread = threading.Thread(
            target=self._slot,
            args=(sandbox, limits, NodeDirectory(NODE_DIR, key), allow_uncapped, prepare or []),
            daemon=True,
        )
        self._thread.start()
        failure = self._started.get()
        if failure is not None:
            raise failure

    def describe(self) -> dict[str, Any]:
        assert self._executor is not None
        return {**self._executor.describe(), **self.node}

    def run(self, request: JobRequest) -> Any:
        events: queue.SimpleQueue[Event] = queue.SimpleQueue()
        self._requests.put((request, events))
        while True:
            event = events.get()
            yield event
            if event[0] == "end":
                return

    def kill(self, job_id: str) -> None:
        assert self._executor is not None
        self._executor.kill(job_id)

    def stop(self, timeout_s: float) -> bool:
        """End the warm worker (a job still running is killed); True once all is released."""
        if self._executor is not None:
            self._executor.stop()
        self._requests.put(None)
        self._thread.join(timeout=timeout_s)
        return not self._thread.is_alive()

    # --- the slot thread ----------------------------------------------------------------

    def _slot(
        self,
        sandbox: str,
        limits: JobLimits,
        claimed: NodeDirectory,
        allow_uncapped: bool,
        prepare: list[list[str]],
    ) -> None:
        try:
            directory = claimed.claim()
            claimed.sweep()
            isolation = Isolation(
                sandbox, data_dir=directory, limits=limits, allow_uncapped=allow_uncapped
            )
            # exec: the fork path is not tested on Ray nodes (serve refuses --job-start there)
            self._executor = LocalExecutor(
                data_dir=directory,
                isolation=isolation,
                workers=1,
                prepare=prepare,
                job_start="exec",
            )
            self._executor.start()
        except BaseException as exc:  # noqa: BLE001  (raised again by __init__, to the service)
            self._started.put(exc)
            return
        self._started.put(None)
        try:
            while (job := self._requests.get()) is not None:
                request, events = job
                try:
                    end = self._executor.run(request, _Queued(events))
                except Exception as exc:  # noqa: BLE001  (reported to the service: the job fails)
                    events.put(("end", None, f"{type(exc).__name__}: {exc}"))
                else:
                    events.put(("end", end, None))
        finally:
            self._executor.stop()
            isolation.close()
            claimed.release()


#: The actor class (the service gives its options: see ``ray.RUNNER_OPTIONS``).
JobRunnerActor = ray.remote(JobRunner)
