"""The executor contract's restart: a service killed with a job running and jobs queued
loses none of them, on every executor.  A module of its own: on Ray, the contract suite's
service (which holds its Ray workers) has ended before this one starts."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.service.real_server import RealServer
from tests.service.test_server import (
    PUBLISHER,
    SLEEPER,
    _wait_gone,
    stream,
    submit,
    upload,
    wait_status,
)


@pytest.mark.service
def test_restart_with_jobs_in_flight_loses_nothing(
    tmp_path: Path, executor_args: list[str]
) -> None:
    server = RealServer(tmp_path / "data", "--workers", "1", *executor_args).start()
    try:
        running = submit(server, upload(server, SLEEPER, "sleeper"), {"seconds": "315"})
        stream(server, running, stop_after=2)
        publisher = upload(server, PUBLISHER, "publisher")
        queued = [submit(server, publisher, {"count": 2, "pause": 0}) for _ in range(3)]
        server.kill()
        server.start()
        assert _wait_gone("sleep 315", timeout=10)
        with server.http() as http:
            failed = http.get(f"/jobs/{running}").json()
        assert failed["status"] == "FAILED"
        assert failed["state"]["reason"] == "service stopped while the job was running"
        for job_id in queued:
            assert wait_status(server, job_id, {"COMPLETED", "FAILED"}, timeout=120) == "COMPLETED"
    finally:
        server.stop()
