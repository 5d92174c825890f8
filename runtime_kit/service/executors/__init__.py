"""Executors run one job at a time per slot, somewhere: the contract and the registry.

The service's ``Scheduler`` (engine-neutral: queue, states, limits on what a job sends,
recovery) hands an executor a ``JobRequest``; the executor runs the program confined, as
the harness does, reports each frame and each chunk of output to ``JobEvents`` as it comes,
and returns a ``JobEnd``.  ``kill`` (from another thread) ends a job early.  Executors are
chosen by name from ``EXECUTORS``; each passes the same contract suite
(``tests/service/test_executor_contract.py``).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from typing import Any, NamedTuple, Protocol


class JobRequest(NamedTuple):
    job_id: str
    bundle: bytes  # the program's data as stored: source, or a zip bundle
    bundle_kind: str  # "source" or "zip"
    inputs: str  # wire-format JSON text
    backend: list[Any]  # a harness BackendSpec
    seed: int
    min_num_qubits: int | None
    time_limit_s: float
    #: the program's own built environment (``runtime_kit.environments.builder.Environment``),
    #: mounted read-only into the job's sandbox; None: runtime-kit's own
    environment: Any = None
    log_level: str | None = None  # the job's logging level (harness/job_logging.py)
    #: a Qiskit Function's entrypoint script (a path in its bundle); None: a program's main()
    script: str | None = None


class JobEnd(NamedTuple):
    """How the job's process ended: killed at the time limit, else its return code; its
    logs; and the cap the executor saw it hit (memory, CPU time, processes), if any."""

    timed_out: bool
    returncode: int | None
    logs: str
    limit: str | None = None


class JobEvents(Protocol):
    def frame(self, kind: str, payload: str) -> None:
        """A frame from the job (``runtime_kit.harness.frames``), in order."""

    def log(self, chunk: bytes) -> None:
        """Output of the job's processes, as it comes."""


class Executor(Protocol):
    name: str
    #: jobs that run at once
    slots: int

    def start(self) -> None:
        """Get ready (warm workers, connect); end what a previous run left behind."""

    def run(self, request: JobRequest, events: JobEvents) -> JobEnd:
        """Run one job to its end (blocking; called from one of ``slots`` threads)."""

    def kill(self, job_id: str) -> None:
        """End a running job now (thread-safe); ``run`` then returns."""

    def stop(self) -> None:
        """Kill what runs and release everything."""

    def describe(self) -> dict[str, Any]:
        """What runs the jobs and how they are confined (for ``/health``)."""


def _local(**settings: Any) -> Executor:
    from runtime_kit.service.executors.local import LocalExecutor

    return LocalExecutor(**settings)


def _ray(**settings: Any) -> Executor:
    from runtime_kit.service.executors.ray import RayExecutor

    return RayExecutor(**settings)


RAY_INSTALL_HINT = "pip install 'runtime-kit[ray]'"
#: name -> factory (keyword settings); ``ray`` registers when Ray is installed (found, not
#: imported: importing Ray takes a second, and ``serve --help`` must stay fast).
EXECUTORS: dict[str, Callable[..., Executor]] = {"local": _local}
if importlib.util.find_spec("ray") is not None:
    EXECUTORS["ray"] = _ray
