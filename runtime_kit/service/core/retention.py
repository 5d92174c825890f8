"""What a long-running service deletes: finished jobs, their interim results and their logs
after a number of days (``serve --keep-jobs``, ``--keep-interim``, ``--keep-logs``; by
default everything is kept), and program data no version refers to.  Applied at start and
then every hour."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from runtime_kit.service.core.store import FINAL_STATUSES, Store
from runtime_kit.service.core.store import now as store_time

INTERVAL_S = 3600.0


@dataclass(frozen=True)
class Retention:
    """Days a finished job (and, if less, its interim results and logs) is kept; None: ever."""

    keep_jobs_days: float | None = None
    keep_interim_days: float | None = None
    keep_logs_days: float | None = None


def apply_retention(
    store: Store, retention: Retention, now: datetime | None = None
) -> dict[str, int]:
    """Delete what ``retention`` no longer keeps; counts of jobs, interim results and logs
    removed, and of unused blobs."""
    now = now or datetime.now(UTC)
    final = ", ".join("?" for _ in FINAL_STATUSES)
    removed = {"jobs": 0, "interim": 0, "logs": 0}
    with store.transaction() as db:
        if retention.keep_jobs_days is not None:
            old = _finished_before(final)
            removed["interim"] += db.execute(
                f"DELETE FROM interim WHERE job_id IN (SELECT id FROM jobs WHERE {old})",
                (*FINAL_STATUSES, _cutoff(now, retention.keep_jobs_days)),
            ).rowcount
            removed["jobs"] = db.execute(
                f"DELETE FROM jobs WHERE {old}",
                (*FINAL_STATUSES, _cutoff(now, retention.keep_jobs_days)),
            ).rowcount
        if retention.keep_interim_days is not None:
            cutoff = _cutoff(now, retention.keep_interim_days)
            removed["interim"] += db.execute(
                "DELETE FROM interim WHERE job_id IN "
                f"(SELECT id FROM jobs WHERE {_finished_before(final)})",
                (*FINAL_STATUSES, cutoff),
            ).rowcount
        if retention.keep_logs_days is not None:
            cutoff = _cutoff(now, retention.keep_logs_days)
            removed["logs"] = db.execute(
                f"UPDATE jobs SET logs = '' WHERE logs != '' AND {_finished_before(final)}",
                (*FINAL_STATUSES, cutoff),
            ).rowcount
    removed["blobs"] = store.remove_unused_blobs()
    return removed


def _finished_before(placeholders: str) -> str:
    """Jobs in a final status, last changed before a cutoff (the last parameter)."""
    return f"status IN ({placeholders}) AND updated < ?"


def _cutoff(now: datetime, days: float) -> str:
    return store_time(now - timedelta(days=days))


class RetentionWorker:
    """Applies the retention at start and every ``interval_s`` in a thread of its own."""

    def __init__(
        self,
        store: Store,
        retention: Retention,
        on_pass: Callable[[dict[str, int]], None],
        on_error: Callable[[Exception], None],
        interval_s: float = INTERVAL_S,
    ) -> None:
        self.store = store
        self.retention = retention
        self.on_pass = on_pass
        self.on_error = on_error
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True, name="retention")

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.on_pass(apply_retention(self.store, self.retention))
            except (sqlite3.Error, OSError) as exc:  # a full disk, say: tried again next pass
                self.on_error(exc)
            self._stop.wait(self.interval_s)


class DiskUsage:
    """Bytes under the data directory, measured at most every ``max_age_s``."""

    def __init__(self, directory: Path, max_age_s: float = 60.0) -> None:
        self.directory = directory
        self.max_age_s = max_age_s
        self._measured = (-float("inf"), 0)
        self._lock = threading.Lock()

    def bytes(self) -> int:
        with self._lock:
            taken, size = self._measured
            if time.monotonic() - taken > self.max_age_s:
                size = _size(self.directory)
                self._measured = (time.monotonic(), size)
            return size


def _size(directory: Path) -> int:
    total = 0
    for root, _, files in os.walk(directory):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except FileNotFoundError:
                continue
    return total
