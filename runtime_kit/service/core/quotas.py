"""What one token may use of a service: the operator's per-token limits (``serve`` settings),
the same for every token; admins' tokens are not held to them.

Rates and concurrency are checked as requests arrive (``rates``); jobs and stored bytes when
a job or a program is admitted (``admission``); running jobs by the fair queue
(``fair_queue``).  ``/health`` shows them (``describe``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Quotas:
    #: requests a token may make per second (bursts of twice as many), any route
    requests_per_s: float = 50.0
    #: requests of one token the service works on at once (more: 429 at once)
    requests_at_once: int = 8
    #: websocket streams (results, logs) one token may hold open
    streams_per_token: int = 32
    #: expensive requests (backend documents, program data, interim results, logs,
    #: uploads) per minute per token, one at a time
    expensive_per_min: float = 120.0
    #: jobs of one token queued or running
    max_jobs: int = 100
    #: jobs of one token running at once; None: all workers but one (at least one), so
    #: that one user never holds every worker
    max_running: int | None = None
    #: what one token stores: programs, params, interim results, logs, results
    max_stored_mib: int = 1024

    def for_workers(self, workers: int) -> Quotas:
        """These quotas with ``max_running`` settled for ``workers``."""
        if self.max_running is not None:
            return self
        return dataclasses.replace(self, max_running=max(1, workers - 1))

    def describe(self) -> dict[str, Any]:
        return asdict(self)
