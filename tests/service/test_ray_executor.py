"""What only the ray executor does, on the session's local Ray cluster (``ray_cluster``):
where jobs ran, a Ray worker lost under a running job, and a cluster that cannot be used
(no token, nothing listening).  The executor contract itself is in
``test_executor_contract.py``."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from runtime_kit.service.executors.node_dirs import NODE_DIR
from tests.service.real_server import RealServer, free_port
from tests.service.test_server import (
    SLEEPER,
    _processes_matching,
    _wait_gone,
    stream,
    submit,
    upload,
    wait_status,
)

NODE_LINE = "[runtime-kit: on Ray node "
PRINTER = "def main(backend, user_messenger):\n    print(1)\n"


@pytest.fixture
def server(tmp_path: Path, ray_serve_args: list[str]) -> Iterator[RealServer]:
    running = RealServer(tmp_path / "data", "--workers", "2", *ray_serve_args).start()
    try:
        yield running
    finally:
        running.stop()


def test_health_and_logs_say_where_jobs_run(server: RealServer, ray_cluster: Any) -> None:
    with server.http() as http:
        health = http.get("/health").json()
    assert health["executor"] == "ray" and health["isolated"] is True
    assert health["ray"]["address"] == ray_cluster.address
    assert len(health["ray"]["nodes"]) == 1  # one node: both runners on it
    assert health["mechanisms"][0].startswith(f"on Ray cluster {ray_cluster.address}")
    assert any(line.startswith("bubblewrap") for line in health["mechanisms"])
    job_id = submit(server, upload(server, PRINTER, "printer"))
    assert wait_status(server, job_id, {"COMPLETED", "FAILED"}) == "COMPLETED"
    with server.http() as http:
        logs = http.get(f"/jobs/{job_id}/logs").text
    node = health["ray"]["nodes"][0]
    assert logs.splitlines()[0] == f"{NODE_LINE}{node} (127.0.0.1)]"


DIALER = """
import socket

def main(backend, user_messenger, host="", port=0):
    try:
        socket.create_connection((host, port), timeout=2).close()
    except OSError as exc:
        return f"refused: {type(exc).__name__}"
    return "connected"
"""
BUSY = "def main(backend, user_messenger):\n    while True:\n        pass\n"


def test_jobs_on_ray_nodes_are_confined_and_capped(
    tmp_path: Path, ray_serve_args: list[str], ray_cluster: Any
) -> None:
    """The same caps and isolation on a Ray node: a job cannot reach the cluster it runs
    on (nor anything else), and a cap it hits ends it FAILED naming the cap."""
    server = RealServer(tmp_path / "data", "--cpu-time", "2", *ray_serve_args).start()
    try:
        host, port = ray_cluster.address.split(":")
        dialer = submit(server, upload(server, DIALER, "dialer"), {"host": host, "port": int(port)})
        busy = submit(server, upload(server, BUSY, "busy"))
        assert wait_status(server, dialer, {"COMPLETED", "FAILED"}) == "COMPLETED"
        assert wait_status(server, busy, {"COMPLETED", "FAILED"}) == "FAILED"
        with server.http() as http:
            assert http.get(f"/jobs/{dialer}/results").json().startswith("refused: ")
            reason = http.get(f"/jobs/{busy}").json()["state"]["reason"]
        assert reason.startswith("limit reached: CPU time (2 s"), reason
    finally:
        server.stop()


def test_a_job_whose_ray_worker_dies_fails_saying_so(server: RealServer) -> None:
    job_id = submit(server, upload(server, SLEEPER, "sleeper"), {"seconds": "316"})
    stream(server, job_id, stop_after=2)  # ACK and "sleeping": the program's child runs
    runner = _runner_of("sleep 316")
    os.kill(runner, signal.SIGKILL)
    assert wait_status(server, job_id, {"FAILED", "COMPLETED"}, timeout=30) == "FAILED"
    with server.http() as http:
        reason = http.get(f"/jobs/{job_id}").json()["state"]["reason"]
    assert reason.startswith("the Ray worker running the job on node "), reason
    assert " died: " in reason, reason
    assert _wait_gone("sleep 316", timeout=10), "the job's processes outlived its runner"
    printer = upload(server, PRINTER, "printer")
    for _ in range(3):  # a new runner took the lost one's place
        after = submit(server, printer)
        assert wait_status(server, after, {"COMPLETED", "FAILED"}, timeout=120) == "COMPLETED"
    key = hashlib.sha256(str(server.data_dir.resolve()).encode()).hexdigest()[:12]
    kept = sorted(path.name for path in NODE_DIR.glob(f"{key}-*"))
    assert kept == [f"{key}-0", f"{key}-0.lock", f"{key}-1", f"{key}-1.lock"]  # live ones only


def _runner_of(command: str) -> int:
    """The pid of the Ray actor process above the (only) process running ``command``."""
    (found,) = [p for p in Path("/proc").glob("[0-9]*") if _cmdline(p).startswith(command)]
    pid = int(found.name)
    while pid > 1:
        if _cmdline(Path(f"/proc/{pid}")).startswith("ray::JobRunner"):
            return pid
        pid = int((Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split())[1])
    raise AssertionError(f"no Ray actor process above {command!r}")


def _cmdline(proc: Path) -> str:
    try:
        return (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _serve(tmp_path: Path, address: str, environ: dict[str, str]) -> subprocess.CompletedProcess:
    command = [
        str(Path(sys.executable).with_name("runtime-kit")), "serve", "--port", "0",
        "--data-dir", str(tmp_path / "data"), "--executor", "ray", "--ray-address", address,
    ]  # fmt: skip
    return subprocess.run(
        command, env=environ, capture_output=True, text=True, timeout=120, check=False
    )


def test_a_cluster_that_wants_a_token_refuses_a_service_without_it(
    tmp_path: Path, ray_cluster: Any
) -> None:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("RAY_AUTH")}
    started = time.monotonic()
    result = _serve(tmp_path, ray_cluster.address, environ)
    assert result.returncode == 3, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"error: the Ray cluster at {ray_cluster.address} answers but refused")
    assert "RAY_AUTH_MODE=token and RAY_AUTH_TOKEN or RAY_AUTH_TOKEN_PATH" in last
    assert time.monotonic() - started < 60
    assert not _processes_matching(str(tmp_path / "data"))


def test_an_address_where_nothing_listens_is_exit_4_at_once(
    tmp_path: Path, ray_cluster: Any
) -> None:
    address = f"127.0.0.1:{free_port()}"
    started = time.monotonic()
    result = _serve(tmp_path, address, dict(os.environ))
    assert result.returncode == 4, result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        f"error: cannot reach the Ray cluster at {address}: Connection refused"
    )
    assert time.monotonic() - started < 15
