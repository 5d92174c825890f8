"""The executor contract: every executor (``runtime_kit.service.executors.EXECUTORS``) passes
this suite against a real ``runtime-kit serve``: the result, interim results in order and
live, logs (also while running), cancel, the time limit, a crashing job, a package
program's wheel (and a restart with jobs in flight: ``test_executor_restart.py``).

``EXECUTOR_SERVE_ARGS`` maps an executor to the ``serve`` arguments that select it; an
executor that needs an outside system (a Ray cluster) adds itself through a fixture in
``conftest.py`` that skips, saying why, when that system cannot run here.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from websockets.sync.client import connect

from runtime_kit.bundle import build_bundle
from tests.conftest import ROOT
from tests.service.real_server import RealServer
from tests.service.test_server import (
    PUBLISHER,
    SLEEPER,
    _wait_gone,
    status,
    stream,
    submit,
    upload,
    wait_status,
)

TALKER = """
import sys, time

def main(backend, user_messenger, lines=3, pause=0.3):
    for number in range(lines):
        print(f"line {number}", flush=True)
        print(f"warning {number}", file=sys.stderr, flush=True)
        time.sleep(pause)
    return lines
"""
CRASH = "import ctypes\n\ndef main(backend, user_messenger):\n    ctypes.string_at(0)\n"


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, executor_args: list[str]
) -> Iterator[RealServer]:
    """One service per executor for the module's tests (each uploads programs of its own
    names; the restart test starts its own)."""
    data = tmp_path_factory.mktemp("contract") / "data"
    running = RealServer(data, "--workers", "2", *executor_args).start()
    try:
        yield running
    finally:
        running.stop()


def test_result(server: RealServer) -> None:
    job_id = submit(
        server,
        upload(server, "def main(backend, user_messenger, x=1):\n    return {'x': x}\n", "echo"),
        {"x": 7},
    )
    assert wait_status(server, job_id, {"COMPLETED", "FAILED"}) == "COMPLETED"
    with server.http() as http:
        assert http.get(f"/jobs/{job_id}/results").json() == {"x": 7}
        assert isinstance(http.get(f"/jobs/{job_id}").json()["seed"], int)


def test_interim_results_in_order_and_live(server: RealServer) -> None:
    job_id = submit(server, upload(server, PUBLISHER, "publisher"), {"count": 6, "pause": 0.3})
    arrivals: list[tuple[float, str]] = []
    url = f"{server.ws_url}/stream/jobs/{job_id}"
    with connect(url, additional_headers={"X-Access-Token": server.token}, open_timeout=30) as ws:
        for message in ws:
            arrivals.append((time.monotonic(), message))
    texts = [text for _, text in arrivals]
    assert texts[0] == "ACK"
    # interim results only: the result is the results route's
    assert [json.loads(t) for t in texts[1:]] == [{"index": i} for i in range(6)]
    # Live: the first interim result arrived well before the job's last one was published.
    assert arrivals[-1][0] - arrivals[1][0] > 1.0


def test_logs_while_running_and_after(server: RealServer) -> None:
    job_id = submit(server, upload(server, TALKER, "talker"), {"lines": 4, "pause": 0.5})
    wait_status(server, job_id, {"RUNNING"})
    chunks: list[str] = []
    url = f"{server.ws_url}/stream/jobs/{job_id}/logs"
    with connect(url, additional_headers={"X-Access-Token": server.token}, open_timeout=30) as ws:
        for message in ws:
            chunks.append(message)
            if "line 0" in "".join(chunks):
                break
    assert status(server, job_id) == "RUNNING"  # a line arrived before the job ended
    with server.http() as http:
        so_far = http.get(f"/jobs/{job_id}/logs").text
        assert "line 0" in so_far
    wait_status(server, job_id, {"COMPLETED", "FAILED"})
    with server.http() as http:
        logs = http.get(f"/jobs/{job_id}/logs").text
    assert all(f"line {n}" in logs and f"warning {n}" in logs for n in range(4))
    streamed, code = _logs_stream(server, job_id)
    assert (streamed, code) == (logs, 1000)


def _logs_stream(server: RealServer, job_id: str) -> tuple[str, int | None]:
    from websockets.exceptions import ConnectionClosed

    text = ""
    url = f"{server.ws_url}/stream/jobs/{job_id}/logs"
    with connect(url, additional_headers={"X-Access-Token": server.token}, open_timeout=30) as ws:
        try:
            while True:
                text += ws.recv(timeout=30)
        except ConnectionClosed as closed:
            return text, closed.rcvd.code if closed.rcvd else None


def test_cancel_stops_the_job_and_all_it_started(server: RealServer) -> None:
    job_id = submit(server, upload(server, SLEEPER, "sleeper"), {"seconds": "313"})
    stream(server, job_id, stop_after=2)  # ACK and "sleeping": the child process runs
    started = time.monotonic()
    with server.http() as http:
        assert http.post(f"/jobs/{job_id}/cancel").status_code == 204
    assert _wait_gone("sleep 313", timeout=5), "the job's processes outlived its cancel"
    assert time.monotonic() - started < 5
    assert status(server, job_id) == "CANCELLED"


def test_the_time_limit(server: RealServer) -> None:
    job_id = submit(server, upload(server, SLEEPER, "slow", cost=2), {"seconds": "314"})
    final = wait_status(server, job_id, {"CANCELLED - RAN TOO LONG", "FAILED", "COMPLETED"})
    assert final == "CANCELLED - RAN TOO LONG"
    assert _wait_gone("sleep 314", timeout=5)


def test_a_crashing_job_fails_and_the_service_goes_on(server: RealServer) -> None:
    job_id = submit(server, upload(server, CRASH, "crash"))
    assert wait_status(server, job_id, {"FAILED", "COMPLETED"}) == "FAILED"
    with server.http() as http:
        assert "SIGSEGV" in http.get(f"/jobs/{job_id}").json()["state"]["reason"]
    after = submit(server, upload(server, PUBLISHER, "after"), {"count": 1, "pause": 0})
    assert wait_status(server, after, {"COMPLETED", "FAILED"}) == "COMPLETED"


def test_a_package_program_runs_from_its_wheel(server: RealServer, tmp_path: Path) -> None:
    project = tmp_path / "parity-scan"
    shutil.copytree(ROOT / "examples" / "parity-scan", project)
    (project / ".runtimeignore").write_text("parity_scan/\n")  # the wheel is all there is
    bundle = build_bundle(project)
    assert not any(name.startswith("parity_scan/") for name, _ in bundle.files)
    body = {
        "name": "parity", "data": bundle.upload_data(), "cost": 300,
        "spec": bundle.metadata["spec"],
    }  # fmt: skip
    with server.http() as http:
        program_id = http.post("/programs", content=json.dumps(body)).json()["id"]
    job_id = submit(server, program_id, {"angles": [0.0], "shots": 100})
    assert wait_status(server, job_id, {"COMPLETED", "FAILED"}, timeout=120) == "COMPLETED"
    with server.http() as http:
        assert http.get(f"/jobs/{job_id}/results").json()["parities"] == [1.0]
