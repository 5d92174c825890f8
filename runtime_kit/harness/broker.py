"""Brokers: what a job reaches through the harness instead of the network.

A job runs without network (and without secrets: see ``runtime_kit.sandbox``).  A backend
that lives elsewhere (IBM Quantum hardware) is reached through a ``Broker`` that the
harness's side owns (the service, or ``runtime-kit run``): the job's process writes a
request as a ``broker`` frame (a JSON object ``{"id", "op", ...}``) and reads the answer,
``{"id", "ok": {...}}`` or ``{"id", "error": "..."}``, as a line on its stdin.  The broker
decides what a request may do; the job never holds the credentials it uses.

``BrokerLink`` connects one job's process to a broker: each request is answered in a thread
of its own (a request may wait minutes for hardware), and when the job ends the broker is
told (``end``), so that whatever the job left running (IBM jobs, sessions) is cancelled.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any, Protocol

from runtime_kit.harness import frames

#: Requests one job may have waiting for an answer at once.
MAX_PENDING = 16


class BrokerError(Exception):
    """A request the broker refuses or cannot do; its message goes back to the job."""


class Broker(Protocol):
    def serves(self, backend: list[Any]) -> bool:
        """Whether jobs on ``backend`` (a ``BackendSpec`` as a list) need this broker."""

    def begin(self, job_id: str, backend: list[Any]) -> None:
        """Job ``job_id`` starts on ``backend``: the one its requests may concern."""

    def handle(self, job_id: str, request: dict[str, Any]) -> dict[str, Any]:
        """Answer one request of job ``job_id`` (blocking).

        Raises:
            BrokerError: the request is refused or failed (said to the job).
        """

    def end(self, job_id: str) -> None:
        """Job ``job_id`` has ended, however: cancel what it left and forget it."""


class Replier(Protocol):
    def reply(self, message: dict[str, Any]) -> bool: ...


class BrokerLink:
    """One job's requests to ``broker``, answered through ``process.reply``."""

    def __init__(self, broker: Broker, job_id: str, backend: list[Any], process: Replier) -> None:
        self.broker = broker
        self.job_id = job_id
        self.process = process
        broker.begin(job_id, backend)
        self._pending = threading.BoundedSemaphore(MAX_PENDING)
        self._threads: list[threading.Thread] = []

    def frames(self, on_frame: Callable[[str, str], None]) -> Callable[[str, str], None]:
        """``on_frame`` with the job's broker frames taken out (and answered)."""

        def route(kind: str, payload: str) -> None:
            if kind == frames.BROKER:
                self.request(payload)
            else:
                on_frame(kind, payload)

        return route

    def request(self, payload: str) -> None:
        try:
            request = json.loads(payload)
        except ValueError:
            request = None
        if not isinstance(request, dict) or not isinstance(request.get("id"), int):
            return  # not a request: nothing can be answered
        if not self._pending.acquire(blocking=False):
            self._answer(request["id"], error=f"more than {MAX_PENDING} requests at once")
            return
        thread = threading.Thread(target=self._serve, args=(request,), daemon=True)
        self._threads.append(thread)
        thread.start()

    def end(self) -> None:
        """The job has ended: tell the broker (it cancels what is left)."""
        self.broker.end(self.job_id)

    def _serve(self, request: dict[str, Any]) -> None:
        try:
            answer = self.broker.handle(self.job_id, request)
        except BrokerError as exc:
            self._answer(request["id"], error=str(exc))
        except Exception as exc:  # noqa: BLE001  (any failure is the job's to see)
            self._answer(request["id"], error=f"{type(exc).__name__}: {exc}")
        else:
            self._answer(request["id"], ok=answer)
        finally:
            self._pending.release()

    def _answer(self, number: int, **answer: Any) -> None:
        self.process.reply({"id": number, **answer})
