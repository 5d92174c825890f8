"""The jobs waiting for a worker: round-robin between owners, first in first out within each.

One user's hundred queued jobs do not make another's one job wait for all of them: each time
a worker is free it takes the oldest job of the next owner in turn.  An owner already
running as many jobs as it may (``running_limit``) is passed over until one of its jobs
ends, so one user never holds every worker while someone else waits.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from collections.abc import Callable
from typing import NamedTuple


class Waiting(NamedTuple):
    job_id: str
    owner: str


class FairQueue:
    """Thread-safe.  ``running_limit(owner)``: how many of ``owner``'s jobs may run at once
    (None: no limit)."""

    def __init__(self, running_limit: Callable[[str], int | None]) -> None:
        self._running_limit = running_limit
        self._waiting: OrderedDict[str, deque[str]] = OrderedDict()  # owner -> its jobs
        self._running: dict[str, int] = {}
        self._closed = False
        self._changed = threading.Condition()

    def put(self, job_id: str, owner: str) -> None:
        with self._changed:
            self._waiting.setdefault(owner, deque()).append(job_id)
            self._changed.notify()

    def get(self) -> Waiting | None:
        """The next job to run (its owner now counted as running one more), waiting until
        there is one; None once closed."""
        with self._changed:
            while True:
                if self._closed:
                    return None
                chosen = self._next()
                if chosen is not None:
                    return chosen
                self._changed.wait()

    def done(self, owner: str) -> None:
        """A job of ``owner`` taken by ``get`` has ended."""
        with self._changed:
            left = self._running.get(owner, 0) - 1
            if left > 0:
                self._running[owner] = left
            else:
                self._running.pop(owner, None)
            self._changed.notify_all()

    def close(self) -> None:
        """Every ``get`` returns None from now on."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    def __len__(self) -> int:
        with self._changed:
            return sum(len(jobs) for jobs in self._waiting.values())

    def running(self, owner: str) -> int:
        with self._changed:
            return self._running.get(owner, 0)

    def _next(self) -> Waiting | None:
        for owner in list(self._waiting):
            limit = self._running_limit(owner)
            if limit is not None and self._running.get(owner, 0) >= limit:
                continue
            jobs = self._waiting.pop(owner)  # its turn is taken: to the back of the line
            job_id = jobs.popleft()
            if jobs:
                self._waiting[owner] = jobs
            self._running[owner] = self._running.get(owner, 0) + 1
            return Waiting(job_id, owner)
        return None
