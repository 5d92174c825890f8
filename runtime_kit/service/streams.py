"""Fan-out of job messages from worker threads to the websockets watching each job."""

from __future__ import annotations

import asyncio
import threading
from collections import defaultdict

#: (number, text) of an interim result, or (None, result text or None) when the job ended.
Message = tuple[int | None, str | None]


class StreamHub:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: dict[
            str, set[tuple[asyncio.AbstractEventLoop, asyncio.Queue[Message]]]
        ] = defaultdict(set)

    def subscribe(self, job_id: str) -> asyncio.Queue[Message]:
        """A queue receiving every message of ``job_id`` from now on (call in the loop)."""
        messages: asyncio.Queue[Message] = asyncio.Queue()
        with self._lock:
            self._subscribers[job_id].add((asyncio.get_running_loop(), messages))
        return messages

    def unsubscribe(self, job_id: str, messages: asyncio.Queue[Message]) -> None:
        with self._lock:
            entries = self._subscribers.get(job_id, set())
            for entry in [e for e in entries if e[1] is messages]:
                entries.discard(entry)
            if not entries:
                self._subscribers.pop(job_id, None)

    def publish(self, job_id: str, number: int | None, text: str | None) -> None:
        """Thread-safe: hand a message to every subscriber of ``job_id``."""
        with self._lock:
            targets = list(self._subscribers.get(job_id, ()))
        for loop, messages in targets:
            try:
                loop.call_soon_threadsafe(messages.put_nowait, (number, text))
            except RuntimeError:  # that loop has closed
                continue
