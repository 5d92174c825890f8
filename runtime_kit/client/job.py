"""``RuntimeJob``: a job on a runtime service (reference §7), streamed over its websocket.

A stream that drops reconnects (backoff, up to ``MAX_RECONNECTS`` times) and resumes with
``?since=N``, N the interim results already delivered: none is lost or repeated.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from runtime_kit.client.errors import JobFailureError, JobTimeoutError
from runtime_kit.client.http import ServiceHttp

MAX_RECONNECTS = 8


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
        result_decoder: Any = None,
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
        return self._backend

    @property
    def seed(self) -> int | None:
        """The seed the job's simulator ran with, when the service records it."""
        seed = self._job_details().get("seed")
        return seed if isinstance(seed, int) and not isinstance(seed, bool) else None

    @property
    def program_version(self) -> str | None:
        """The program version the job was submitted for (None: the latest one)."""
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
        if self._api_status not in _FINAL_API:
            self._refresh()
        return _FROM_API.get(self._api_status, JobStatus.INITIALIZING)

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

    def wait_for_final_state(self, timeout: float | None = None) -> JobStatus:
        """Wait on the job's websocket (the service closes it at the end), then confirm
        with backoff polling; ``JobTimeoutError`` after ``timeout`` seconds."""
        deadline = None if timeout is None else time.monotonic() + timeout
        if not self.status().final and self._stream is None:
            _Stream(self, None, None).run(deadline)
        delay = 0.05
        while not self.status().final:
            if deadline is not None and time.monotonic() >= deadline:
                raise JobTimeoutError(f"Timed out waiting for job {self._job_id} after {timeout} s")
            time.sleep(delay)
            delay = min(delay * 2, 2.0)
        return self.status()

    def result(self, timeout: float | None = None, decoder: Any = None) -> Any:
        """The decoded result; raises ``JobFailureError`` if the job failed or ran too long."""
        if self._result is not None and decoder is None:
            return self._result
        status = self.wait_for_final_state(timeout)
        if status is JobStatus.ERROR:
            raise JobFailureError(f"Unable to retrieve job result. {self.error_message()}")
        response = self._http.request("GET", f"/jobs/{self._job_id}/results")
        result = _decoder(decoder or self._decoder).decode(response.text) if response.text else None
        if decoder is None:
            self._result = result
        return result

    def cancel(self) -> None:
        self._http.request("POST", f"/jobs/{self._job_id}/cancel")
        self.cancel_result_streaming()
        self._api_status = "CANCELLED"

    def logs(self) -> str:
        return self._http.request("GET", f"/jobs/{self._job_id}/logs").text

    def interim_results(self, decoder: Any = None) -> list[Any]:
        text = self._http.request("GET", f"/jobs/{self._job_id}/interim_results").text
        chosen = _decoder(decoder or self._decoder)
        return [chosen.decode(json.dumps(item)) for item in json.loads(text)]

    # --- streaming ------------------------------------------------------------------------

    def stream_results(self, callback: Callback, decoder: Any = None) -> None:
        """Call ``callback(job_id, message)`` for every interim result and the final result,
        in a background thread, from now until the job ends."""
        from runtime_kit.client.errors import InvalidStateError

        if self._stream is not None and self._stream.alive():
            raise InvalidStateError("A callback function is already streaming results.")
        if self.status().final:
            raise InvalidStateError("Job already finished.")
        self._stream = _Stream(self, callback, _decoder(decoder or self._decoder))
        self._stream.start()

    def cancel_result_streaming(self) -> None:
        if self._stream is not None:
            self._stream.stop()

    def _refresh(self) -> None:
        raw = self._http.json("GET", f"/jobs/{self._job_id}")
        self._details = raw
        self._api_status = raw.get("status") or raw.get("state", {}).get("status", "QUEUED")
        self._reason = (raw.get("state") or {}).get("reason", "")
        self._creation_date = raw.get("created")
        self._backend = raw.get("backend")
        if self._inputs is None:
            from runtime_kit.serialization import RuntimeDecoder

            self._inputs = json.loads(json.dumps(raw.get("params") or {}), cls=RuntimeDecoder)


class _Stream:
    """One job's websocket: reconnects and resumes with ``since`` until the job ends."""

    def __init__(self, job: RuntimeJob, callback: Callback | None, decoder: Any) -> None:
        self.job = job
        self.callback = callback
        self.decoder = decoder
        self.received = 0  # messages delivered (interim results, then the result)
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None
        self._socket: Any = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, args=(None,), daemon=True)
        self._thread.start()

    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def stop(self) -> None:
        self._stopped.set()
        if self._socket is not None:
            with contextlib.suppress(Exception):  # closing a broken socket may fail any way
                self._socket.close()

    def _catch_up(self) -> None:
        """The service closes the stream of a finished job at once, so what was published
        while we reconnected (and the result) is fetched instead: nothing is missed."""
        if self.callback is None or self._stopped.is_set():
            return
        http = self.job._http
        job_id = self.job.job_id()
        interim = json.loads(http.request("GET", f"/jobs/{job_id}/interim_results").text)
        if self.received > len(interim):
            return  # the result came through the stream: all delivered
        for message in interim[self.received :]:
            self.received += 1
            self.callback(job_id, self.decoder.decode(json.dumps(message)))
        if self.job.status() is JobStatus.DONE:
            text = http.request("GET", f"/jobs/{job_id}/results").text
            self.received += 1
            self.callback(job_id, self.decoder.decode(text))

    def run(self, deadline: float | None) -> None:
        from websockets.exceptions import ConnectionClosed, WebSocketException
        from websockets.sync.client import connect

        http = self.job._http
        attempt = 0
        while not self._stopped.is_set():
            url = f"{http.websocket_url}/stream/jobs/{self.job.job_id()}?since={self.received}"
            try:
                with connect(
                    url,
                    additional_headers={"X-Access-Token": http.token},
                    open_timeout=30,
                    ssl=http.ssl_context,
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
            except TimeoutError:
                return  # the caller's deadline
            except (OSError, WebSocketException):
                pass
            attempt += 1
            if attempt > MAX_RECONNECTS or self._stopped.is_set():
                return
            time.sleep(min(8.0, 0.5 * 2 ** (attempt - 1)))


def _remaining(deadline: float | None) -> float | None:
    return None if deadline is None else max(0.0, deadline - time.monotonic())


def _decoder(decoder: Any) -> Any:
    if decoder is not None:
        return decoder
    from runtime_kit.program.result_decoder import ResultDecoder

    return ResultDecoder
