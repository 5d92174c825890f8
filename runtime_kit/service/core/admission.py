"""Admission: one gate for everything a token adds to the service, whatever kind of job or
program it is.

A route (or any other front door: a legacy circuit job, a Functions job) states who submits
(the owner's token id) and what it costs, and writes its rows inside the gate's
transaction; ``jobs_api.submit_job`` does so for every kind of job::

    with admission.admitted(owner, Cost(jobs=1, stored_bytes=len(params))) as db:
        db.execute("INSERT INTO jobs ...")
    scheduler.submit(job_id, owner)

The gate counts what the token has (its queued and running jobs, the bytes it stores: see
``usage``) in the same transaction as the insert, so two submissions cannot both slip under
a limit.  Over a quota it raises ``QuotaExceeded``: 429 for jobs (they end), 413 for bytes
(they stay until deleted), the message naming the limit.  Admins are not held to quotas.
The fair queue (``fair_queue``) then decides when each admitted job runs.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import NamedTuple

from runtime_kit.service.core.api_error import ApiError
from runtime_kit.service.core.auth import ADMIN
from runtime_kit.service.core.quotas import Quotas
from runtime_kit.service.core.store import QUEUED, RUNNING, Store
from runtime_kit.service.core.usage import bytes_of

MIB = 1024 * 1024
#: What ``stored`` covers, as the error says it.
STORED = "programs, params, interim results, logs, results"


class Cost(NamedTuple):
    """What a submission adds: jobs that will wait or run, bytes that will be stored."""

    jobs: int = 0
    stored_bytes: int = 0


class QuotaExceeded(ApiError):
    """A token's quota is reached; ``limit`` names it (``max_jobs``, ``max_stored_mib``)."""

    def __init__(self, status: int, message: str, limit: str) -> None:
        super().__init__(status, message, "QUOTA_EXCEEDED")
        self.limit = limit


class Admission:
    """Args:
    quotas: with ``max_running`` settled (``Quotas.for_workers``).
    role_of: a token id's role (None: no such token).
    """

    def __init__(self, store: Store, quotas: Quotas, role_of: Callable[[str], str | None]) -> None:
        self.store = store
        self.quotas = quotas
        self._role_of = role_of

    @contextmanager
    def admitted(self, who: str, cost: Cost) -> Iterator[sqlite3.Connection]:
        """A store transaction in which the submission of ``cost`` by the token ``who``
        (its id) is admitted.

        Raises:
            QuotaExceeded: ``who`` would go over a quota (nothing is written).
        """
        with self.store.transaction() as db:
            self.check(db, who, cost)
            yield db

    def check(self, db: sqlite3.Connection, who: str, cost: Cost) -> None:
        """Raise ``QuotaExceeded`` if ``cost`` would take the token ``who`` over a quota."""
        if self._role_of(who) == ADMIN:
            return
        quotas = self.quotas
        if cost.jobs:
            jobs = self.jobs_of(db, who)
            if jobs + cost.jobs > quotas.max_jobs:
                raise QuotaExceeded(
                    429,
                    f"quota reached: {quotas.max_jobs} queued or running jobs per token "
                    f"({jobs} now); wait for some to end",
                    "max_jobs",
                )
        if cost.stored_bytes:
            self.check_room(db, who, cost.stored_bytes)

    def check_room(self, db: sqlite3.Connection, who: str, adding: int) -> None:
        """Raise ``QuotaExceeded`` (413) if storing ``adding`` more bytes for the token
        ``who`` would go over ``max_stored_mib``."""
        if self._role_of(who) == ADMIN:
            return
        limit = self.quotas.max_stored_mib * MIB
        stored = bytes_of(db, who)
        if stored + adding > limit:
            raise QuotaExceeded(
                413,
                f"quota reached: {self.quotas.max_stored_mib} MiB stored per token ({STORED}); "
                f"{stored} bytes stored, {adding} more asked; delete some",
                "max_stored_mib",
            )

    def room(self, owner: str) -> int | None:
        """The bytes ``owner`` may still store (None: no quota)."""
        if self._role_of(owner) == ADMIN:
            return None
        stored = self.store.query_one("SELECT bytes FROM usage WHERE owner = ?", owner)
        return self.quotas.max_stored_mib * MIB - (0 if stored is None else int(stored[0]))

    def running_limit(self, owner: str) -> int | None:
        """How many of ``owner``'s jobs may run at once (None: no limit)."""
        return None if self._role_of(owner) == ADMIN else self.quotas.max_running

    def stored_quota_message(self) -> str:
        return f"quota reached: {self.quotas.max_stored_mib} MiB stored per token ({STORED})"

    def jobs_of(self, db: sqlite3.Connection, owner: str) -> int:
        """``owner``'s queued and running jobs."""
        row = db.execute(
            "SELECT COUNT(*) FROM jobs WHERE owner = ? AND status IN (?, ?)",
            (owner, QUEUED, RUNNING),
        ).fetchone()
        return int(row[0])
