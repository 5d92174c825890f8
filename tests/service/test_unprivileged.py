"""``serve`` run by an unprivileged user, as an operator may: without a delegated cgroup a
job's caps hold per process only, and the service says so instead of promising them.

The user is created for the test (``useradd``) and the service started with ``runuser``
under the system's Python 3.11, the checkout and the test environment's packages on its
path (this environment's own Python lives under ``/root``, which other users cannot
enter).  Skipped where the test does not run as root.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT
from tests.service.conftest import source_of
from tests.service.real_server import RealServer, free_port

SYSTEM_PYTHON = Path("/usr/bin/python3.11")
SITE_PACKAGES = Path(sys.prefix) / "lib" / "python3.11" / "site-packages"


@pytest.fixture(scope="module")
def user() -> Iterator[str]:
    if os.geteuid() != 0 or not shutil.which("useradd") or not shutil.which("runuser"):
        pytest.skip("creating a user needs root, useradd and runuser")
    if not SYSTEM_PYTHON.exists():
        pytest.skip(f"no {SYSTEM_PYTHON} for the unprivileged user to run")
    name = f"rk-{secrets.token_hex(4)}"
    subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
        check=True,
    )
    try:
        yield name
    finally:
        subprocess.run(["userdel", name], check=False)


@pytest.fixture
def data_dir(user: str) -> Iterator[Path]:
    """A data directory the user owns (pytest's own temporary directories are root's)."""
    directory = Path(tempfile.mkdtemp(prefix="rk-unprivileged-", dir="/tmp"))
    shutil.chown(directory, user)
    try:
        yield directory / "data"
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def serve_as(user: str, data_dir: Path, *args: str) -> subprocess.Popen[str]:
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": f"{ROOT}:{SITE_PACKAGES}",
        "RUNTIME_KIT_ADMIN_TOKEN": "admin-" + secrets.token_hex(16),
        "LANG": "C.UTF-8",
        "PYTHONUNBUFFERED": "1",
    }
    command = [
        str(shutil.which("runuser")), "-u", user, "--",
        str(SYSTEM_PYTHON), "-m", "runtime_kit", "serve",
        "--data-dir", str(data_dir), "--no-builtin-programs", *args,
    ]  # fmt: skip
    return subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def test_auto_refuses_to_start_when_caps_cannot_hold_per_job(user: str, data_dir: Path) -> None:
    process = serve_as(user, data_dir, "--port", "0")
    out, err = process.communicate(timeout=120)
    assert process.returncode == 3, (out, err)
    assert err.count("\n") == 1, err
    assert err.startswith("error: jobs cannot be capped per job here ("), err
    assert "4096 MiB per process (RLIMIT_AS): a job's processes together may use more" in err
    assert "processes: no cap" in err
    assert err.rstrip().endswith("or accept this with --allow-uncapped-jobs"), err


def test_accepted_uncapped_jobs_are_said_at_start_and_in_health(user: str, data_dir: Path) -> None:
    port = free_port()
    process = serve_as(user, data_dir, "--port", str(port), "--allow-uncapped-jobs")
    try:
        health = _health(process, port)
        if health is None:
            out, err = process.communicate(timeout=30)
            assert "bubblewrap cannot run here" in err, (out, err)
            pytest.skip(f"bubblewrap cannot run unprivileged here: {err.strip()}")
        assert health["uncapped"] == ["memory", "tasks"]
        assert health["caps"]["tasks"].startswith("processes: no cap")
        assert health["caps"]["memory"].startswith("4096 MiB per process (RLIMIT_AS)")
        assert "caps not per job: memory, tasks" in health["warning"]
    finally:
        process.terminate()
        out, err = process.communicate(timeout=60)
    assert "warning: caps NOT per job (memory, tasks)" in err, err
    assert "caps: 4096 MiB per process (RLIMIT_AS)" in err, err


def _health(process: subprocess.Popen[str], port: int) -> dict[str, object] | None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return None
        try:
            answer = httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)
            if answer.status_code == 200:
                health: dict[str, object] = answer.json()
                return health
        except httpx.HTTPError:
            time.sleep(0.2)
    raise AssertionError("serve did not start in time")


@pytest.mark.service
def test_prefer_falling_back_as_root_says_so_at_every_job_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if os.geteuid() != 0:
        pytest.skip("the warning is for a service run as root")
    monkeypatch.setenv("PATH", str(tmp_path / "no-bwrap"))  # bubblewrap not found: fallback
    server = RealServer(tmp_path / "data", "--sandbox", "prefer", "--no-builtin-programs").start()
    try:
        health = httpx.get(f"{server.url}/health").json()
        assert health["isolated"] is False
        with server.http() as http:
            source = source_of("def main(backend, user_messenger):\n    return 1\n")
            body = {"name": "hi", "cost": 60, "spec": {}, "data": source}
            program_id = http.post("/programs", json=body).json()["id"]
            for _ in range(2):
                job_id = http.post("/jobs", json={"program_id": program_id}).json()["id"]
                _wait_final(http, job_id)
    finally:
        log = server.stop()
    warnings = [line for line in log.splitlines() if " warning " in line and "job=" in line]
    assert len(warnings) == 2, log
    assert "job runs NOT isolated, as root" in warnings[0]
    assert "bubblewrap is not installed" in warnings[0]


def _wait_final(http: httpx.Client, job_id: str) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if http.get(f"/jobs/{job_id}").json()["status"] not in ("QUEUED", "RUNNING"):
            return
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not end")
