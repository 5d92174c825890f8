"""Operating a service: one per data directory, graceful shutdown, log lines, metrics,
retention and disk use."""

from __future__ import annotations

import json
import signal
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from runtime_kit.service.core.retention import Retention, apply_retention
from runtime_kit.service.core.store import Store
from tests.conftest import run_command
from tests.service.conftest import Api
from tests.service.real_server import RealServer
from tests.service.test_server import PUBLISHER, SLEEPER, stream, submit, upload, wait_status

NAPPER = """
import time

def main(backend, user_messenger, seconds=1.0):
    time.sleep(seconds)
    return "rested"
"""


@pytest.mark.service
def test_a_second_service_on_the_same_data_directory_is_refused(tmp_path: Path) -> None:
    first = RealServer(tmp_path / "data", "--sandbox", "none").start()
    try:
        second = run_command(
            "serve", "--data-dir", tmp_path / "data", "--port", "0", "--sandbox", "none"
        )
    finally:
        first.stop()
    assert second.returncode == 3
    assert first.process is not None
    assert second.stderr.strip() == (
        f"error: data directory {tmp_path / 'data'} is in use by another runtime-kit service "
        f"(pid {first.process.pid}, {first.url})"
    )


@pytest.mark.service
def test_sigterm_closes_streams_with_1001_and_fails_jobs_that_do_not_end(
    tmp_path: Path,
) -> None:
    server = RealServer(tmp_path / "data", "--shutdown-timeout", "2").start()
    job_id = submit(server, upload(server, SLEEPER, "sleeper"), {"seconds": "316"})
    url = f"{server.ws_url}/stream/jobs/{job_id}"
    with connect(url, additional_headers={"X-Access-Token": server.token}) as ws:
        assert ws.recv(timeout=60) == "ACK"
        assert json.loads(ws.recv(timeout=60)) == "sleeping"
        assert server.process is not None
        started = time.monotonic()
        server.process.send_signal(signal.SIGTERM)
        try:
            while True:
                ws.recv(timeout=30)
        except ConnectionClosed as closed:
            code = closed.rcvd.code if closed.rcvd else None
    assert code == 1001
    assert server.process.wait(timeout=60) == 0
    assert time.monotonic() - started >= 2  # the job had its shutdown timeout
    stderr = server.stop()
    assert "stopping shutdown_timeout_s=2.0" in stderr
    server.start()
    try:
        with server.http() as http:
            job = http.get(f"/jobs/{job_id}").json()
        assert job["status"] == "FAILED"
        assert job["state"]["reason"] == (
            "service stopped while the job was running: it did not end within the shutdown timeout"
        )
    finally:
        server.stop()


@pytest.mark.service
def test_a_job_that_ends_within_the_shutdown_timeout_completes(tmp_path: Path) -> None:
    server = RealServer(tmp_path / "data", "--shutdown-timeout", "30").start()
    job_id = submit(server, upload(server, NAPPER, "napper"), {"seconds": 2.0})
    wait_status(server, job_id, {"RUNNING"})
    server.stop()
    server.start()
    try:
        assert wait_status(server, job_id, {"COMPLETED", "FAILED"}) == "COMPLETED"
    finally:
        server.stop()


@pytest.mark.service
def test_request_and_job_lines_in_json(tmp_path: Path) -> None:
    server = RealServer(tmp_path / "data", "--log-format", "json").start()
    try:
        job_id = submit(server, upload(server, PUBLISHER, "publisher"), {"count": 1, "pause": 0})
        wait_status(server, job_id, {"COMPLETED"})
    finally:
        stderr = server.stop()
    lines = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    requests = [line for line in lines if line["event"] == "request"]
    assert {"method": "POST", "path": "/jobs", "status": 200} in [
        {k: r[k] for k in ("method", "path", "status")} for r in requests
    ]
    states = [line["status"] for line in lines if line["event"] == "job" and line["id"] == job_id]
    assert states == ["QUEUED", "RUNNING", "COMPLETED"]
    completed = next(line for line in lines if line.get("status") == "COMPLETED")
    assert completed["duration_s"] > 0


@pytest.mark.service
def test_request_lines_in_plain_text(tmp_path: Path) -> None:
    server = RealServer(tmp_path / "data").start()
    with server.http() as http:
        http.get("/programs?limit=5")
    stderr = server.stop()
    lines = stderr.splitlines()
    line = next(text for text in lines if " request method=GET path=/programs" in text)
    assert " status=200 " in line and " ms=" in line


def test_metrics(real_server: RealServer) -> None:
    job_id = submit(real_server, upload(real_server, PUBLISHER, "publisher"), {"count": 2})
    stream(real_server, job_id)
    with real_server.http() as http:
        text = http.get("/metrics").text
    assert 'runtime_kit_jobs{status="COMPLETED"} 1.0' in text
    assert "runtime_kit_queue_depth 0.0" in text
    assert 'runtime_kit_workers{state="idle"} 2.0' in text
    assert "runtime_kit_websocket_clients 0.0" in text
    assert 'runtime_kit_job_duration_seconds_count{status="COMPLETED"} 1.0' in text
    assert "runtime_kit_store_commit_seconds_count" in text
    route = 'method="POST",route="/jobs",status="200"'
    assert f"runtime_kit_http_request_duration_seconds_count{{{route}}} 1.0" in text


JOBS = [
    ("COMPLETED", "2026-01-01T00:00:00.000000Z"),
    ("FAILED", "2026-11-29T00:00:00.000000Z"),
    ("RUNNING", "2026-01-01T00:00:00.000000Z"),
]


def test_retention_removes_old_finished_jobs_interim_results_and_logs(tmp_path: Path) -> None:
    store = Store(tmp_path)
    try:
        with store.transaction() as db:
            for number, (status, updated) in enumerate(JOBS):
                db.execute(
                    "INSERT INTO jobs (id, owner, program_id, backend, params, status, created, "
                    "updated, seq, logs) VALUES (?, 'o', 'p', 'aer', '{}', ?, ?, ?, ?, 'x')",
                    (f"job-{number}", status, updated, updated, number),
                )
                db.execute("INSERT INTO interim VALUES (?, 1, '{}')", (f"job-{number}",))
        now = datetime(2026, 11, 30, tzinfo=UTC)
        removed = apply_retention(store, Retention(keep_interim_days=0.5, keep_logs_days=0.5), now)
        assert (removed["jobs"], removed["interim"], removed["logs"]) == (0, 2, 2)
        removed = apply_retention(store, Retention(keep_jobs_days=30), now)
        assert (removed["jobs"], removed["interim"]) == (1, 0)
        left = {row["id"]: row["logs"] for row in store.query("SELECT id, logs FROM jobs")}
        assert left == {"job-1": "", "job-2": "x"}  # a running job is never touched
    finally:
        store.close()


def test_deleting_a_program_removes_its_data(admin: Api) -> None:
    source = "def main(backend, user_messenger):\n    return 'only here'\n"
    body = {"name": "once", "data": _b64(source), "cost": 60}
    program_id = admin.post("/programs", body).json()["id"]
    store = admin.client.app.state.api.store  # type: ignore[attr-defined]
    internal = {row["data_digest"] for row in store.query("SELECT data_digest FROM program_rows")}
    internal.discard(store.program(program_id)["data_digest"])  # the internal programs' data
    assert len({p.name for p in store.blobs.glob("*/*")} - internal) == 1
    assert admin.request("DELETE", f"/programs/{program_id}").status_code == 204
    assert {p.name for p in store.blobs.glob("*/*")} == internal
    health = admin.get("/health").json()
    assert health["disk_bytes"] > 0


def _b64(text: str) -> str:
    import base64

    return base64.b64encode(text.encode()).decode()
