"""The job's side of a broker (``runtime_kit.harness.broker``): requests out as ``broker``
frames, answers in on stdin, matched by number.

``connect`` is called by the harness before ``main()``; a backend that needs the broker
calls ``request``.  Several threads of a program may have requests out at once; a reader
thread (started with the first request) hands each answer to the one waiting for it.
"""

from __future__ import annotations

import itertools
import json
import threading
from typing import Any, TextIO

from runtime_kit.errors import RuntimeKitError
from runtime_kit.harness import frames


class BrokerRequestError(RuntimeKitError):
    """The broker refused a request or could not do it, or there is no broker."""


class _Client:
    def __init__(self, frames_fd: int, answers: TextIO) -> None:
        self.frames_fd = frames_fd
        self.answers = answers
        self._numbers = itertools.count(1)
        self._waiting: dict[int, _Answer] = {}
        self._lock = threading.Lock()
        self._reader: threading.Thread | None = None
        self._closed: str | None = None

    def request(self, op: str, **fields: Any) -> dict[str, Any]:
        answer = _Answer()
        with self._lock:
            if self._closed is not None:
                raise BrokerRequestError(self._closed)
            number = next(self._numbers)
            self._waiting[number] = answer
            if self._reader is None:
                self._reader = threading.Thread(target=self._read, daemon=True)
                self._reader.start()
        frames.write_frame(self.frames_fd, frames.BROKER, json.dumps({"id": number, "op": op,
                                                                      **fields}))  # fmt: skip
        answer.ready.wait()
        if answer.error is not None:
            raise BrokerRequestError(f"{op}: {answer.error}")
        return answer.value

    def _read(self) -> None:
        for line in self.answers:
            try:
                message = json.loads(line)
                number = int(message["id"])
            except (ValueError, KeyError, TypeError):
                continue
            with self._lock:
                answer = self._waiting.pop(number, None)
            if answer is not None:
                answer.give(message.get("ok") or {}, message.get("error"))
        with self._lock:  # stdin closed: no broker (or it is gone)
            self._closed = "no broker answers this job (its backend needs one: see the logs)"
            waiting, self._waiting = self._waiting, {}
        for answer in waiting.values():
            answer.give({}, self._closed)


class _Answer:
    def __init__(self) -> None:
        self.ready = threading.Event()
        self.value: dict[str, Any] = {}
        self.error: str | None = None

    def give(self, value: dict[str, Any], error: str | None) -> None:
        self.value, self.error = value, error
        self.ready.set()


#: The process's client, once ``connect`` has made it (one per job process).
_connected: list[_Client] = []


def connect(frames_fd: int, answers: TextIO) -> None:
    """Requests go out on ``frames_fd``; answers come in on ``answers`` (the job's stdin)."""
    _connected[:] = [_Client(frames_fd, answers)]


def request(op: str, **fields: Any) -> dict[str, Any]:
    """Ask the broker; returns its answer.

    Raises:
        BrokerRequestError: refused, failed, or no broker serves this job.
    """
    if not _connected:
        raise BrokerRequestError(
            f"{op}: this process has no broker (backends that need one run under "
            "runtime-kit run or a service)"
        )
    return _connected[0].request(op, **fields)
