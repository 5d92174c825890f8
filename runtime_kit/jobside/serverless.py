"""``qiskit_serverless`` as a function's script sees it inside a job: ``get_arguments()``,
``save_result()``, ``update_status()``, ``get_logger()`` and the rest of what a Qiskit
Function imports at run time, with qiskit-serverless's meaning (0.37), served by the job side
whether or not qiskit-serverless is installed in the function's environment.

The job's runner ``begin()``s a session before it runs the script: the decoded arguments, how
to encode a result (the environment's codec) and where status updates go (the frames pipe).
Where qiskit-serverless would reach its gateway over the network, this talks to the harness:
``update_status`` reaches the job's status (and logs) as it is called, ``save_result`` keeps
the value, which becomes the job's result when the script ends.  Two differences, both
deliberate: ``save_result`` of a value it cannot serialize raises (qiskit-serverless logs a
warning and returns False, and the job then ends with no result), and ``get_runtime_service``
gives the job's own backend (the primitives a function starts run in its job, so stopping
the job stops them).

Standard library only, Python 3.8 syntax (``runtime_kit.jobside``'s rules).
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable
from typing import Any

#: What ``update_status`` takes: the sub-statuses of a RUNNING job in qiskit-serverless.
SUB_STATUSES = ("MAPPING", "OPTIMIZING_HARDWARE", "WAITING_QPU", "EXECUTING_QPU", "POST_PROCESSING")

__all__ = [
    "Job",
    "QiskitServerlessException",
    "get_arguments",
    "get_compute_profile",
    "get_function_size",
    "get_logger",
    "get_provider_logger",
    "get_runtime_service",
    "is_running_in_serverless",
    "is_trial",
    "save_result",
    "send_error",
    "update_status",
]


class QiskitServerlessException(Exception):
    """What qiskit-serverless raises (and so does this stand-in)."""


class Job:
    """The status names of qiskit-serverless's ``Job`` (``update_status(Job.MAPPING)``).
    Inside a function there is no job handle to hold: the client has it."""

    PENDING = "PENDING"
    RUNNING = "RUNNING"
    STOPPING = "STOPPING"
    STOPPED = "STOPPED"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    QUEUED = "QUEUED"
    MAPPING = "MAPPING"
    OPTIMIZING_HARDWARE = "OPTIMIZING_HARDWARE"
    WAITING_QPU = "WAITING_QPU"
    EXECUTING_QPU = "EXECUTING_QPU"
    POST_PROCESSING = "POST_PROCESSING"


class Session:
    """The running function's: its arguments, its saved result (encoded text), its
    backend, and where its status updates go."""

    def __init__(
        self,
        arguments: dict[str, Any],
        encode: Callable[[Any], str],
        on_status: Callable[[str], None],
        backend: Any,
    ) -> None:
        self.arguments = arguments
        self.encode = encode
        self.on_status = on_status
        self.backend = backend
        #: the encoded value of the last ``save_result`` (None: nothing saved)
        self.saved: str | None = None


_sessions: list[Session] = []


def begin(
    arguments: dict[str, Any],
    encode: Callable[[Any], str],
    on_status: Callable[[str], None],
    backend: Any,
) -> Session:
    """Start the session of the job about to run (one per process)."""
    _sessions[:] = [Session(arguments, encode, on_status, backend)]
    return _sessions[0]


def _session() -> Session:
    if not _sessions:
        raise QiskitServerlessException(
            "qiskit_serverless (served by runtime-kit) works inside a function's job: "
            "run the function with `runtime-kit run` or on `runtime-kit serve`"
        )
    return _sessions[0]


def get_arguments() -> dict[str, Any]:
    """The arguments the function was run with (a new copy at each call, as
    qiskit-serverless reads them anew from its file)."""
    return copy.deepcopy(_session().arguments)


def save_result(result: Any) -> bool:
    """Keep ``result`` as the job's result (a later call replaces it); True.

    Raises:
        QiskitServerlessException: ``result`` cannot be serialized (with what could not).
    """
    session = _session()
    try:
        text = session.encode(result or {})  # qiskit-serverless saves {} for a falsy value
    except (TypeError, ValueError, OverflowError, RecursionError) as exc:
        raise QiskitServerlessException(
            f"save_result: the result cannot be serialized ({type(exc).__name__}: {exc}); "
            "save JSON values, numpy arrays or Qiskit objects the runtime encoder knows"
        ) from exc
    session.saved = text
    logging.info("[save] Result saved ok")
    return True


def update_status(status: str) -> bool:
    """Set the job's sub-status (one of ``SUB_STATUSES``): True when it is one, else a
    warning and False, as qiskit-serverless answers a status its gateway refuses."""
    if status not in SUB_STATUSES:
        logging.warning(
            "Something went wrong: 'sub_status' %r is not valid (one of %s)",
            status,
            ", ".join(SUB_STATUSES),
        )
        return False
    _session().on_status(status)
    return True


class _PrefixFormatter(logging.Formatter):
    """Each line of a record on its own, after ``prefix``."""

    def __init__(self, prefix: str) -> None:
        super().__init__(fmt="%(levelname)s: %(message)s")
        self.prefix = prefix

    def format(self, record: logging.LogRecord) -> str:
        lines = []
        for line in record.getMessage().splitlines() or [""]:
            single = logging.LogRecord(
                record.name, record.levelno, record.pathname, record.lineno, line, None, None
            )
            lines.append(f"{self.prefix} {super().format(single)}")
        return "\n".join(lines)


def _logger(name: str, prefix: str) -> logging.Logger:
    logger = logging.getLogger(name)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(_PrefixFormatter(prefix))
        logger.addHandler(handler)
    return logger


def get_logger() -> logging.Logger:
    """The logger of the function's public logs (lines ``[PUBLIC] INFO: ...``)."""
    return _logger("user", "[PUBLIC]")


def get_provider_logger() -> logging.Logger:
    """The logger of a provider's private logs (lines ``[PRIVATE] INFO: ...``); on
    runtime-kit they are in the job's logs, which only its owner and admins read."""
    return _logger("provider", "[PRIVATE]")


def is_running_in_serverless() -> bool:
    return True


def is_trial() -> bool:
    return False


def get_function_size() -> str:
    """Empty: sizes are a Fleets notion; a job here has the service's limits."""
    return ""


def get_compute_profile() -> str:
    return ""


def send_error(code: Any, message: str, exception: str, args: Any = None) -> bool:
    """Logs the error (there is no gateway to send it to) and answers False, as
    qiskit-serverless does when it cannot reach its gateway."""
    logging.error("Error %s: %s (%s)\n%s", code, message, exception, args)
    return False


class LocalRuntimeService:
    """What ``get_runtime_service()`` gives inside a job: the job's own backend, whatever
    name is asked for, so that the primitives a function starts run in its job."""

    def __init__(self, backend: Any) -> None:
        self._backend = backend

    def backend(self, name: str | None = None, **kwargs: Any) -> Any:
        return self._the_backend()

    def least_busy(self, *args: Any, **kwargs: Any) -> Any:
        return self._the_backend()

    def backends(self, *args: Any, **kwargs: Any) -> list[Any]:
        return [self._the_backend()]

    def _the_backend(self) -> Any:
        if self._backend is None:
            raise QiskitServerlessException(
                "the function's environment has no qiskit, so its job has no backend: "
                "add qiskit to its dependencies"
            )
        return self._backend

    def active_account(self) -> dict[str, Any]:
        return {"channel": "local"}


def get_runtime_service(
    channel: str | None = None,
    token: str | None = None,
    instance: str | None = None,
    url: str | None = None,
) -> LocalRuntimeService:
    return LocalRuntimeService(_session().backend)
