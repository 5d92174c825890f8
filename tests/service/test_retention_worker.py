"""The retention thread outlives a pass that fails: it says so and tries again."""

from __future__ import annotations

import threading
from pathlib import Path

from runtime_kit.service.core.retention import Retention, RetentionWorker
from runtime_kit.service.core.store import Store


def test_a_failed_pass_is_reported_and_the_worker_goes_on(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.close()  # every query now fails (sqlite3.ProgrammingError)
    errors: list[Exception] = []
    two = threading.Event()

    def failed(error: Exception) -> None:
        errors.append(error)
        if len(errors) == 2:
            two.set()

    worker = RetentionWorker(store, Retention(keep_jobs_days=1), print, failed, interval_s=0.01)
    worker.start()
    try:
        assert two.wait(timeout=30), errors
    finally:
        worker.stop()
    assert "closed" in str(errors[0])
