"""``ray``: jobs on a Ray cluster, in warm, confined workers on its nodes.

The service connects to the cluster as a Ray driver (``ray.init(address, namespace)``) and
keeps one ``JobRunner`` actor per slot (``--workers``), each holding ``num_cpus`` CPUs and
``memory_mib`` of the cluster's resources, placed by Ray on whichever node has room.  A
runner confines each job on its node as the local executor does here (see
``ray_runner``).  The job's bundle, inputs and limits travel as the call's arguments,
through Ray's object store: no shared file system.  What the job sends comes back through a
streaming generator, as it comes.

Why actors and not Ray's Jobs API (what Qiskit Serverless uses), measured on this machine
(2 cores, Ray 2.60, a local cluster): publish -> driver latency p50/p99 was 0.6/0.7 ms for an
actor's streaming generator, 0.7/1.1 ms for a task's, 1.8/5.4 ms through a broker actor,
and 951/1417 ms for the Jobs API's log tail (it arrives in ~1 s batches), whose every job
also starts a new driver process (3.3 s from submit to its first line).  The goal is a
p50 of 100 ms from publish to the websocket: only actors and tasks meet it, and warm actors
also spare each job Python's and qiskit's start (``benchmarks/ray_transports.py``).

Cancel asks the runner to kill the job (its whole cgroup); a runner that has not ended the
job ``KILL_GRACE_S`` later is killed itself (``ray.kill``), and its job's processes die with
it.  A runner that dies while it runs a job (its worker process or its node lost) ends that
job FAILED saying so, and a new runner takes its slot.  Non-detached actors die with the
service: a service killed with jobs in flight leaves nothing running on the cluster.
"""

from __future__ import annotations

import hashlib
import json
import logging
import queue
import re
import socket
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from runtime_kit.errors import ConfigurationError, ServiceError
from runtime_kit.harness import frames
from runtime_kit.sandbox.isolation import Isolation
from runtime_kit.sandbox.limits import MIB, JobLimits
from runtime_kit.service.executors import JobEnd, JobEvents, JobRequest

#: How long a runner has to place and warm up (a cluster without room never places it).
PLACE_TIMEOUT_S = 120.0
#: After a cancel, how long the runner has to end the job before it is killed itself.
KILL_GRACE_S = 2.0
STOP_TIMEOUT_S = 10.0
#: A runner takes two calls at once (``run`` and ``kill``), and Ray never restarts it by
#: itself: a job it was running must end FAILED, not run again.
RUNNER_OPTIONS: dict[str, Any] = {"max_concurrency": 2, "max_restarts": 0}
PROBE_TIMEOUT_S = 10.0
TOKEN_HINT = (
    "give the service the cluster's token: RAY_AUTH_MODE=token and RAY_AUTH_TOKEN or "
    "RAY_AUTH_TOKEN_PATH in its environment (docs/scale.md)"
)


class RayClusterError(ServiceError):
    """The Ray cluster cannot be reached, or has no room for the service's runners."""


class RayAuthenticationError(ConfigurationError):
    """The Ray cluster wants a token the service was not given (or another one)."""


class _Slot:
    """One runner actor, where it landed, and whether it is still usable."""

    def __init__(self, number: int, actor: Any, described: dict[str, Any]) -> None:
        self.number = number  # names its files and cgroups on the node (see ``ray_runner``)
        self.actor = actor
        self.described = described
        self.alive = True
        node = described["node_id"]
        self.header = f"[runtime-kit: on Ray node {node} ({described['node_ip']})]\n"
        self.where = f"the Ray worker running the job on node {node[:12]}"


class RayExecutor:
    name = "ray"

    def __init__(
        self,
        *,
        data_dir: Path,
        isolation: Isolation,
        workers: int = 2,
        address: str | None = None,
        namespace: str = "runtime-kit",
        num_cpus: float = 1.0,
        memory_mib: int | None = None,
        prepare: Sequence[Sequence[str]] = (),
    ) -> None:
        self.slots = workers
        self.prepare = [list(spec) for spec in prepare]
        self.address = address
        self.namespace = namespace
        self.num_cpus = num_cpus
        self.limits: JobLimits = isolation.limits
        self.memory_mib = memory_mib or self.limits.memory_mib
        self._sandbox = isolation.mode
        self._allow_uncapped = isolation.allow_uncapped
        self._key = hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:12]
        self._idle: queue.SimpleQueue[_Slot | None] = queue.SimpleQueue()
        self._running: dict[str, _Slot] = {}
        self._killed: set[str] = set()
        self._lock = threading.Lock()
        self._numbers = iter(range(1 << 30))
        self._lost_numbers: queue.SimpleQueue[int] = queue.SimpleQueue()
        self._placed: dict[int, dict[str, Any]] = {}  # slot number -> its runner's describe()
        self._stopping = False

    def start(self) -> None:
        _connect(self.address, self.namespace)
        for slot in self._new_slots(self.slots):
            self._idle.put(slot)

    def run(self, request: JobRequest, events: JobEvents) -> JobEnd:
        slot = self._take_slot()
        with self._lock:
            self._running[request.job_id] = slot
            killed = request.job_id in self._killed
        try:
            if killed:
                return JobEnd(False, None, "")
            return self._run_on(slot, request, events)
        finally:
            with self._lock:
                self._running.pop(request.job_id, None)
                self._killed.discard(request.job_id)
            if not slot.alive:  # its successor, on the same node, clears what it left
                self._lost_numbers.put(slot.number)
            if not self._stopping:
                self._idle.put(slot if slot.alive else None)  # None: a new one when needed

    def kill(self, job_id: str) -> None:
        with self._lock:
            self._killed.add(job_id)
            slot = self._running.get(job_id)
        if slot is None:
            return
        slot.actor.kill.remote(job_id)
        timer = threading.Timer(KILL_GRACE_S, self._kill_runner, args=(job_id, slot))
        timer.daemon = True
        timer.start()

    def stop(self) -> None:
        import ray

        self._stopping = True
        with self._lock:
            slots: list[_Slot | None] = list(self._running.values())
        while not self._idle.empty():
            slots.append(self._idle.get())
        for slot in slots:
            if slot is not None:
                _end_runner(slot)
        ray.shutdown()

    def describe(self) -> dict[str, Any]:
        described = {"executor": self.name, "workers": self.slots}
        ray_ = {
            "address": self.address,
            "namespace": self.namespace,
            "num_cpus_per_job": self.num_cpus,
            "memory_mib_per_job": self.memory_mib,
            "nodes": sorted({placed["node_id"] for placed in self._placed.values()}),
        }
        isolation = next(iter(self._placed.values()), {})
        mechanisms = [
            f"on Ray cluster {self.address} (namespace {self.namespace}): each running job "
            f"holds {self.num_cpus:g} CPU and {self.memory_mib} MiB there, in a warm runner "
            "confined on its node as follows",
            *isolation.get("mechanisms", []),
        ]
        return {**isolation, **described, "ray": ray_, "mechanisms": mechanisms}

    # --- helpers -------------------------------------------------------------------------

    def _new_slots(self, count: int) -> list[_Slot]:
        """``count`` new runners, placed and warm (all asked at once)."""
        import ray

        from runtime_kit.service.executors.ray_runner import JobRunnerActor

        options = {**RUNNER_OPTIONS, "num_cpus": self.num_cpus, "memory": self.memory_mib * MIB}
        numbers = [self._number() for _ in range(count)]
        actors: list[Any] = [  # ActorHandle[JobRunner], which Ray's own hints do not reach
            JobRunnerActor.options(**options).remote(
                self._sandbox,
                self.limits,
                f"{self._key}-{number}",
                self._allow_uncapped,
                self.prepare,
            )
            for number in numbers
        ]
        try:
            described = ray.get([a.describe.remote() for a in actors], timeout=PLACE_TIMEOUT_S)
        except ray.exceptions.GetTimeoutError as exc:
            for actor in actors:
                ray.kill(actor)
            raise RayClusterError(
                f"the Ray cluster at {self.address} did not place {count} job runner(s) of "
                f"{self.num_cpus:g} CPU and {self.memory_mib} MiB within {PLACE_TIMEOUT_S:g} s: "
                "is there room (`ray status`)? Lower --workers, --ray-num-cpus or "
                "--ray-memory-mib"
            ) from exc
        except ray.exceptions.RayActorError as exc:
            raise ConfigurationError(
                f"a job runner could not start on the Ray cluster: {_cause(exc)}"
            ) from exc
        slots = [_Slot(*slot) for slot in zip(numbers, actors, described, strict=True)]
        for slot in slots:
            self._placed[slot.number] = slot.described
        return slots

    def _number(self) -> int:
        try:
            return self._lost_numbers.get_nowait()
        except queue.Empty:
            return next(self._numbers)

    def _take_slot(self) -> _Slot:
        try:
            slot = self._idle.get_nowait()
        except queue.Empty:
            slot = None
        return slot if slot is not None else self._new_slots(1)[0]

    def _run_on(self, slot: _Slot, request: JobRequest, events: JobEvents) -> JobEnd:
        import ray

        events.log(slot.header.encode())
        logs = [slot.header]
        try:
            stream = slot.actor.run.options(num_returns="streaming").remote(request)
            for reference in stream:
                kind, *rest = ray.get(reference)
                if kind == "frame":
                    events.frame(*rest)
                elif kind == "log":
                    events.log(rest[0])
                    logs.append(rest[0].decode("utf-8", "replace"))
                elif rest[0] is not None:  # the end
                    end = JobEnd(*rest[0])
                    return end._replace(logs=slot.header + end.logs)
                else:
                    return self._failed(slot, f"the job runner failed: {rest[1]}", logs, events)
        except ray.exceptions.ActorUnavailableError as exc:
            reason = f"{slot.where} became unreachable (its node lost?): {_cause(exc)}"
            return self._failed(slot, reason, logs, events)
        except ray.exceptions.RayActorError as exc:
            return self._failed(slot, f"{slot.where} died: {_cause(exc)}", logs, events)
        except ray.exceptions.RayError as exc:
            reason = f"the Ray cluster lost the job ({type(exc).__name__}: {_cause(exc)})"
            return self._failed(slot, reason, logs, events)
        return self._failed(slot, "the job runner ended without a word", logs, events)

    def _failed(self, slot: _Slot, reason: str, logs: list[str], events: JobEvents) -> JobEnd:
        """The job ends FAILED with ``reason``; its runner, dead or not to be trusted, is
        killed (not asked: it may be unreachable) and not used again."""
        import ray

        slot.alive = False
        events.frame(frames.FAILED, json.dumps({"error": reason, "traceback": ""}))
        ray.kill(slot.actor)
        return JobEnd(False, None, "".join(logs))

    def _kill_runner(self, job_id: str, slot: _Slot) -> None:
        import ray

        with self._lock:
            still = self._running.get(job_id) is slot
        if still:
            slot.alive = False
            ray.kill(slot.actor)


def _connect(address: str | None, namespace: str) -> None:
    """Join the cluster as a driver.  Ray retries a refused connection for ~20 s and waits on
    an address where nothing listens for minutes: a TCP probe first says that at once."""
    import ray

    if address not in (None, "auto"):
        _probe(address)
    try:
        ray.init(
            address=address,
            namespace=namespace,
            log_to_driver=False,
            logging_level=logging.WARNING,
        )
    except ray.exceptions.AuthenticationError as exc:
        raise RayAuthenticationError(f"the Ray cluster at {address}: {exc}; {TOKEN_HINT}") from exc
    except ConnectionError as exc:
        if address in (None, "auto"):
            raise RayClusterError(f"no Ray cluster found ({exc})") from exc
        raise RayAuthenticationError(
            f"the Ray cluster at {address} answers but refused this service ({exc}): "
            f"token authentication? {TOKEN_HINT}"
        ) from exc


def _probe(address: str) -> None:
    host, _, port = address.rpartition(":")
    try:
        socket.create_connection((host, int(port)), timeout=PROBE_TIMEOUT_S).close()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise RayClusterError(f"cannot reach the Ray cluster at {address}: {reason}") from exc


def _end_runner(slot: _Slot) -> None:
    """Let a runner release its node's resources (its warm worker, cgroups, uids), then kill
    its actor, whether it did in time, was stuck, or had died."""
    import ray

    ray.wait([slot.actor.stop.remote(STOP_TIMEOUT_S)], timeout=STOP_TIMEOUT_S + 5)
    ray.kill(slot.actor)


def _cause(exc: BaseException) -> str:
    """The line of a Ray error that says why (Ray's messages run to a dozen lines): the
    exception a runner raised (``SandboxError: ...``), else Ray's own reason."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    for line in reversed(lines):
        if re.match(r"^[A-Za-z_.]*(Error|Exception): ", line):
            return line
    for line in lines:
        if "because" in line or "died" in line.lower():
            return line
    return lines[0] if lines else type(exc).__name__
