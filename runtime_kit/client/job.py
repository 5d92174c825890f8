"""``RuntimeJob``: a job on a runtime service (reference §7), streamed over its websocket.

A stream that drops reconnects (backoff, up to ``MAX_RECONNECTS`` times) and resumes with
``?since=N``, N the interim results already delivered: none is lost or repeated.  A stream
that cannot reconnect gives up with a warning (logger ``runtime_kit.client``) and keeps the
error in ``RuntimeJob.stream_error``; waiting for the job goes on by polling.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from enum import StrEnum
from typing import Any, Protocol

from runtime_kit.client.http import ServiceHttp
from runtime_kit.errors import (
    InvalidStateError,
    JobCancelledError,
    JobFailureError,
    JobTimeoutError,
    ServiceError,
)

MAX_RECONNECTS = 8
#: Seconds between status polls when waiting without a stream (legacy ``wait``).
DEFAULT_WAIT_S = 5.0
logger = logging.getLogger("runtime_kit.client")


class JobStatus(StrEnum):
    """Job states, named as qiskit's ``JobStatus`` (reference §7.1)."""

    INITIALIZING = "INITIALIZING"
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    DONE = "DONE"
    ERROR = "ERROR"
    CANCELLED = "CANCELLED"

    @property
    def final(self) -> bool:
        return self in (JobStatus.DONE, JobStatus.ERROR, JobStatus.CANCELLED)


_FROM_API = {
    "QUEUED": JobStatus.QUEUED,
    "RUNNING": JobStatus.RUNNING,
    "COMPLETED": JobStatus.DONE,
    "FAILED": JobStatus.ERROR,
    "CANCELLED": JobStatus.CANCELLED,
    "CANCELLED - RAN TOO LONG": JobStatus.ERROR,
}
_FINAL_API = {api for api, status in _FROM_API.items() if status.final}

Callback = Callable[[str, Any], None]


class Decoder(Protocol):
    """What decodes results: a ``ResultDecoder`` class (ours, the legacy one, or a
    subclass of either); a result is whatever the program returned."""

    def decode(self, data: str) -> Any: ...


class RuntimeJob:
    def __init__(
        self,
        http: ServiceHttp,
        job_id: str,
        program_id: str,
        *,
        inputs: dict[str, Any] | None = None,
        creation_date: str | None = None,
        backend: str | None = None,
        result_decoder: Decoder | None = None,
    ) -> None:
        self._http = http
        self._job_id = job_id
        self._program_id = program_id
        self._inputs = inputs
        self._creation_date = creation_date
        self._backend = backend
        self._decoder = result_decoder
        self._api_status = "QUEUED"
        self._reason = ""
        self._details: dict[str, Any] | None = None  # the last GET /jobs/{id}
        self._result: Any = None
        self._stream: _Stream | None = None
        #: Why the last result stream gave up (None while it works or after a clean end).
        self.stream_error: Exception | None = None

    # --- identity -------------------------------------------------------------------------

    def job_id(self) -> str:
        return self._job_id

    @property
    def program_id(self) -> str:
        return self._program_id

    @property
    def inputs(self) -> dict[str, Any]:
        if self._inputs is None:
            self._refresh()
        return self._inputs or {}

    @property
    def creation_date(self) -> str | None:
        if self._creation_date is None:
            self._refresh()
        return self._creation_date

    def backend(self) -> str | None:
        """The name of the backend the job runs on."""
        return self._backend

    @property
    def external_jobs(self) -> list[dict[str, str]]:
        """The jobs this job made elsewhere, as the service recorded them: IBM Quantum jobs
        (``provider``, ``id``, ``backend``, ``created``); read afresh each time."""
        self._refresh()
        return list((self._details or {}).get("external_jobs") or [])

    @property
    def image(self) -> str:
        """Legacy: the job's container image; runtime-kit jobs have none."""
        return ""

    @property
    def seed(self) -> int | None:
        """The seed the job's simulator ran with, when the service records it."""
        seed = self._job_details().get("seed")
        return seed if isinstance(seed, int) and not isinstance(seed, bool) else None

    @property
    def instance(self) -> str | None:
        """The instance the job ran under (``HUB/GROUP/PROJECT``), when the service records
        one."""
        details = self._job_details()
        parts = [details.get(key) for key in ("hub", "group", "project")]
        texts = [part for part in parts if isinstance(part, str) and part]
        return "/".join(texts) if len(texts) == 3 else None

    @property
    def program_version(self) -> str | None:
        """The program version the job runs: the one it was submitted for, else the latest
        one at its submission (None from a service that did not record it)."""
        version = self._job_details().get("version")
        return None if version is None else str(version)

    def _job_details(self) -> dict[str, Any]:
        if self._details is None or "seed" not in self._details:  # a seed comes at the start
            self._refresh()
        return self._details or {}

    def __repr__(self) -> str:
        return f"<RuntimeJob('{self._job_id}', '{self._program_id}')>"

    # --- state ----------------------------------------------------------------------------

    def status(self) -> JobStatus:
        """The job's state (asks the service unless it has ended).

        Raises:
            ServiceError: the service sent a status this client does not know.
        """
        if self._api_status not in _FINAL_API:
            self._refresh()
        return _status_of(self._api_status)

    def set_api_status(self, api_status: str) -> None:
        """Record a status the service sent (in a job listing, say); checked like any."""
        _status_of(api_status)
        self._api_status = api_status

    @property
    def api_status(self) -> str:
        """The service's own status string (e.g. ``CANCELLED - RAN TOO LONG``)."""
        self.status()
        return self._api_status

    def error_message(self) -> str | None:
        if self.status() is not JobStatus.ERROR:
            return None
        text = self._http.request("GET", f"/jobs/{self._job_id}/results").text
        if self._api_status == "CANCELLED - RAN TOO LONG":
            return (
                f"Job {self._job_id} ran longer than maximum execution time. "
                f"Job was cancelled:\n{text}"
            )
        return f"Job {self._job_id} has failed:\n{text}"

    def wait_for_final_state(
        self, timeout: float | None = None, wait: float = DEFAULT_WAIT_S
    ) -> JobStatus:
        """Wait until the job ends: on its websocket (the service closes it at the end),
        then confirmed by polling at most every ``wait`` seconds.

        Raises:
            JobTimeoutError: the job has not ended after ``timeout`` seconds.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        if not self.status().final and self._stream is None:
            _Stream(self, None, None).run(deadline)
        delay = min(0.05, wait)
        while not self.status().final:
            if deadline is not None and time.monotonic() >= deadline:
                raise JobTimeoutError(f"Timed out waiting for job {self._job_id} after {timeout} s")
            time.sleep(delay if deadline is None else min(delay, _remaining(deadline) or 0))
            delay = min(delay * 2, wait)
        return self.status()

    def result(
        self,
        timeout: float | None = None,
        wait: float = DEFAULT_WAIT_S,
        decoder: Decoder | None = None,
    ) -> Any:
        """The job's result, decoded by ``decoder`` (a ``ResultDecoder`` class; default: the
        job's, else ``ResultDecoder``), after waiting as ``wait_for_final_state`` does.

        Raises:
            JobFailureError: the job failed or ran too long.
            JobCancelledError: the job was cancelled (it has no result).
            JobTimeoutError: it has not ended after ``timeout`` seconds.
        """
        if self._result is not None and decoder is None:
            return self._result
        status = self.wait_for_final_state(timeout, wait)
        if status is JobStatus.ERROR:
            raise JobFailureError(f"Unable to retrieve job result. {self.error_message()}")
        if status is JobStatus.CANCELLED:
            raise JobCancelledError(
                f"Unable to retrieve result for job {self._job_id}. Job was cancelled."
            )
        response = self._http.request("GET", f"/jobs/{self._job_id}/results")
        result = _decoder(decoder or self._decoder).decode(response.text) if response.text else None
        if decoder is None:
            self._result = result
        return result

    def cancel(self) -> None:
        """Cancel the job.

        Raises:
            InvalidStateError: it has ended already.
        """
        try:
            self._http.request("POST", f"/jobs/{self._job_id}/cancel")
        except InvalidStateError as exc:
            self._refresh()
            raise InvalidStateError(
                f"Job {self._job_id} cannot be cancelled: it has ended ({self._api_status})",
                status=exc.status,
                method=exc.method,
                url=exc.url,
            ) from exc
        self.cancel_result_streaming()
        self._api_status = "CANCELLED"

    def logs(self) -> str:
        """The job's logs so far (all of them once it has ended)."""
        return self._http.request("GET", f"/jobs/{self._job_id}/logs").text

    def follow_logs(self, since: int = 0) -> Iterator[str]:
        """The job's log text from character ``since`` on, chunk by chunk as it is written,
        until the job ends (``/stream/jobs/{id}/logs``; a dropped stream resumes where it
        was).

        Raises:
            ServiceError: the stream could not be reconnected.
        """
        from runtime_kit.client.log_stream import follow_logs

        return follow_logs(self._http, self._job_id, since)

    def interim_results(self, decoder: Decoder | None = None) -> list[Any]:
        text = self._http.request("GET", f"/jobs/{self._job_id}/interim_results").text
        chosen = _decoder(decoder or self._decoder)
        return [chosen.decode(json.dumps(item)) for item in json.loads(text)]

    # --- streaming ------------------------------------------------------------------------

    def stream_results(self, callback: Callback, decoder: Decoder | None = None) -> None:
        """Call ``callback(job_id, message)`` for every interim result, in a background
        thread, from now until the job ends (the result is ``result()``'s, as with IBM's
        service)."""
        if self._stream is not None and self._stream.alive():
            raise InvalidStateError("A callback function is already streaming results.")
        if self.status().final:
            raise InvalidStateError("Job already finished.")
        self._stream = _Stream(self, callback, decoder or self._decoder)
        self._stream.start()

    def wait_for_stream(self, timeout: float | None = None) -> bool:
        """Wait until the result stream has delivered everything (it ends with the job);
        False if it is still running after ``timeout`` seconds."""
        if self._stream is None:
            return True
        return self._stream.join(timeout)

    def cancel_result_streaming(self) -> None:
        if self._stream is not None:
            self._stream.stop()

    def _refresh(self) -> None:
        raw = self._http.json("GET", f"/jobs/{self._job_id}")
        self._details = raw
        self.set_api_status(raw.get("status") or raw.get("state", {}).get("status", "QUEUED"))
        self._reason = (raw.get("state") or {}).get("reason", "")
        self._creation_date = raw.get("created")
        self._backend = raw.get("backend")
        if self._inputs is None:
            from runtime_kit.serialization import RuntimeDecoder

            self._inputs = json.loads(json.dumps(raw.get("params") or {}), cls=RuntimeDecoder)


class _Stream:
    """One job's websocket: reconnects and resumes with ``since`` until the job ends."""

    def __init__(self, job: RuntimeJob, callback: Callback | None, decoder: Decoder | None) -> None:
        self.job = job
        self.callback = callback
        self.decoder = _decoder(decoder)
        self.received = 0  # interim results delivered
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None
        self._socket: Any = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, args=(None,), daemon=True)
        self._thread.start()

    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def join(self, timeout: float | None) -> bool:
        if self._thread is not None:
            self._thread.join(timeout)
        return not self.alive()

    def stop(self) -> None:
        self._stopped.set()
        if self._socket is not None:
            with contextlib.suppress(Exception):  # closing a broken socket may fail any way
                self._socket.close()

    def _catch_up(self) -> None:
        """The service closes the stream of a finished job at once, so what was published
        while we reconnected is fetched instead: nothing is missed."""
        if self.callback is None or self._stopped.is_set():
            return
        job_id = self.job.job_id()
        text = self.job._http.request("GET", f"/jobs/{job_id}/interim_results").text
        for message in json.loads(text)[self.received :]:
            self.received += 1
            self.callback(job_id, self.decoder.decode(json.dumps(message)))

    def run(self, deadline: float | None) -> None:
        from websockets.exceptions import ConnectionClosed, WebSocketException

        http = self.job._http
        attempt = 0
        while not self._stopped.is_set():
            try:
                with http.websocket(
                    f"/stream/jobs/{self.job.job_id()}?since={self.received}"
                ) as socket:
                    self._socket = socket
                    socket.recv(timeout=_remaining(deadline))  # the ACK
                    attempt = 0
                    while True:
                        message = socket.recv(timeout=_remaining(deadline))
                        self.received += 1
                        if self.callback is not None:
                            self.callback(self.job.job_id(), self.decoder.decode(message))
            except ConnectionClosed as closed:
                if closed.rcvd is not None and closed.rcvd.code == 1000:
                    self._catch_up()
                    return  # the job ended
                error: Exception = closed
            except TimeoutError:
                return  # the caller's deadline
            except (OSError, WebSocketException) as exc:
                error = exc
            attempt += 1
            if self._stopped.is_set():
                return
            if attempt > MAX_RECONNECTS:
                self._give_up(error, attempt - 1)
                return
            time.sleep(min(8.0, 0.5 * 2 ** (attempt - 1)))

    def _give_up(self, error: Exception, reconnects: int) -> None:
        message = (
            f"the result stream of job {self.job.job_id()} was lost after {reconnects} "
            f"reconnects ({error}); waiting for the job goes on by polling"
        )
        logger.warning(message)
        self.job.stream_error = ServiceError(message)
        self.job.stream_error.__cause__ = error


def _remaining(deadline: float | None) -> float | None:
    return None if deadline is None else max(0.0, deadline - time.monotonic())


def _status_of(api_status: str) -> JobStatus:
    try:
        return _FROM_API[api_status]
    except KeyError as exc:
        raise ServiceError(
            f"the service sent an unknown job status {api_status!r} (known: "
            f"{', '.join(_FROM_API)}): is this client older than the service?"
        ) from exc


def _decoder(decoder: Decoder | None) -> Decoder:
    if decoder is not None:
        return decoder
    from runtime_kit.program.result_decoder import ResultDecoder

    return ResultDecoder
