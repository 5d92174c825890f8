"""Fan-out of job messages and logs from worker threads to the websockets watching them.

Each job has two topics: its messages (interim results, then the end) and its logs; one
more topic, ``STATUS_TOPIC``, names each job whose status has just changed (the web view's
jobs list follows it).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import defaultdict

#: (number, text) of an interim result, or (None, None) when the job ended;
#: on a log topic, (offset in characters, text) of a chunk, or (None, None) at the end.
Message = tuple[int | None, str | None]
#: A job id (its messages) or ``("logs", job id)``.
Topic = str | tuple[str, str]


#: (None, job id) each time a job's status changes: read the new one from the store.
STATUS_TOPIC: Topic = ("status", "*")

#: Delivered to every subscriber when the service shuts down: close with 1001 (going away).
GOING_AWAY: Message = (-1, None)
#: Delivered to the subscribers of a token revoked meanwhile: the stream ends (1008).
REVOKED: Message = (-2, None)


def log_topic(job_id: str) -> Topic:
    return ("logs", job_id)


def token_topic(token_id: str) -> Topic:
    """Where ``REVOKED`` reaches every stream a token holds open."""
    return ("token", token_id)


class StreamHub:
    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._subscribers: dict[
            Topic, set[tuple[asyncio.AbstractEventLoop, asyncio.Queue[Message]]]
        ] = defaultdict(set)

    def subscribe(self, topic: Topic, token_id: str | None = None) -> asyncio.Queue[Message]:
        """A queue receiving every message of ``topic`` from now on (call in the loop), and
        ``REVOKED`` if ``token_id`` (the subscriber's token) is revoked."""
        messages: asyncio.Queue[Message] = asyncio.Queue()
        loop = asyncio.get_running_loop()
        with self._lock:
            for each in self._topics(topic, token_id):
                self._subscribers[each].add((loop, messages))
        return messages

    def unsubscribe(
        self, topic: Topic, messages: asyncio.Queue[Message], token_id: str | None = None
    ) -> None:
        with self._lock:
            for each in self._topics(topic, token_id):
                entries = self._subscribers.get(each, set())
                for entry in [e for e in entries if e[1] is messages]:
                    entries.discard(entry)
                if not entries:
                    self._subscribers.pop(each, None)
            self._lock.notify_all()

    def wait_unwatched(self, topics: list[Topic], timeout_s: float) -> bool:
        """Thread-safe: wait (up to ``timeout_s``) until no one subscribes to any of
        ``topics``; whether anyone did when called."""
        deadline = time.monotonic() + timeout_s
        with self._lock:
            watched = any(topic in self._subscribers for topic in topics)
            while any(topic in self._subscribers for topic in topics):
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._lock.wait(left)
        return watched

    def revoke(self, token_id: str) -> None:
        """Thread-safe: ``token_id`` was revoked: end every stream it holds."""
        self._deliver(token_topic(token_id), REVOKED)

    @staticmethod
    def _topics(topic: Topic, token_id: str | None) -> list[Topic]:
        return [topic] if token_id is None else [topic, token_topic(token_id)]

    def publish(self, job_id: str, number: int | None, text: str | None) -> None:
        """Thread-safe: an interim result (number, text) or the end (None, None)."""
        self._deliver(job_id, (number, text))

    def publish_log(self, job_id: str, offset: int | None, text: str | None) -> None:
        """Thread-safe: a chunk of logs at ``offset`` (characters before it), or the end."""
        self._deliver(log_topic(job_id), (offset, text))

    def publish_status(self, job_id: str) -> None:
        """Thread-safe: ``job_id``'s status has changed."""
        self._deliver(STATUS_TOPIC, (None, job_id))

    def close_all(self) -> None:
        """Thread-safe: tell every subscriber the service is going away."""
        with self._lock:
            topics = list(self._subscribers)
        for topic in topics:
            self._deliver(topic, GOING_AWAY)

    def watchers(self) -> int:
        with self._lock:
            return sum(
                len(entries)
                for topic, entries in self._subscribers.items()
                if not (isinstance(topic, tuple) and topic[0] == "token")
            )

    def _deliver(self, topic: Topic, message: Message) -> None:
        number, text = message
        with self._lock:
            targets = list(self._subscribers.get(topic, ()))
        for loop, messages in targets:
            try:
                loop.call_soon_threadsafe(messages.put_nowait, (number, text))
            except RuntimeError:  # that loop has closed
                continue
