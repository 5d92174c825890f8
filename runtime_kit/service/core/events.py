"""The service's log lines: one per request and one per job state change, plain or JSON
(``serve --log-format``), on stderr."""

from __future__ import annotations

import json
import sys
import threading
from typing import Any, TextIO

from runtime_kit.service.core.store import now


class EventLog:
    """Writes ``event key=value ...`` (plain) or one JSON object per line (``json``)."""

    def __init__(self, format: str = "plain", stream: TextIO | None = None) -> None:
        if format not in ("plain", "json"):
            raise ValueError(f"log format must be plain or json, not {format!r}")
        self.format = format
        self.stream = stream or sys.stderr
        self._lock = threading.Lock()

    def emit(self, event: str, **fields: Any) -> None:
        stamp = now()[:-4] + "Z"  # milliseconds
        if self.format == "json":
            line = json.dumps({"time": stamp, "event": event, **fields}, default=str)
        else:
            parts = " ".join(f"{key}={_plain(value)}" for key, value in fields.items())
            line = f"{stamp} {event} {parts}".rstrip()
        with self._lock:
            self.stream.write(line + "\n")
            self.stream.flush()

    def request(self, method: str, path: str, status: int, duration_s: float, client: str) -> None:
        self.emit(
            "request",
            method=method,
            path=path,
            status=status,
            ms=round(duration_s * 1000, 1),
            client=client,
        )

    def job(self, job_id: str, status: str, **fields: Any) -> None:
        self.emit("job", id=job_id, status=status, **fields)


def _plain(value: Any) -> str:
    text = str(value)
    return json.dumps(text) if not text or any(c in text for c in ' "=\n') else text


#: A log that writes nothing (library use, tests that do not look at it).
class SilentLog(EventLog):
    def emit(self, event: str, **fields: Any) -> None:
        return None
