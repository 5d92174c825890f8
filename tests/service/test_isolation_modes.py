"""``serve --sandbox``: isolation is the default and refusing is loud; the caps that need a
service of their own (small ones) end a job naming the cap."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.service.real_server import RealServer, free_port
from tests.service.test_hostile_jobs import (
    HOSTILE,
    JOB_STARTS,
    Stage,
    _sandbox_usable,
    job_start_usable,
)

BUSY = "def main(backend, user_messenger):\n    while True:\n        pass\n"
FILES = """
def main(backend, user_messenger):
    handles = [open(f"/tmp/f{n}", "w") for n in range(200)]
    return len(handles)
"""
THREADS = """
import os

import numpy


def main(backend, user_messenger):
    variables = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "RAYON_NUM_THREADS")
    return {name: os.environ.get(name) for name in variables}
"""


def test_auto_refuses_to_start_without_bubblewrap(tmp_path: Path) -> None:
    command = [
        str(Path(sys.executable).with_name("runtime-kit")), "serve", "--port", str(free_port()),
        "--data-dir", str(tmp_path / "data"),
    ]  # fmt: skip
    env = {**os.environ, "PATH": str(tmp_path)}  # no bwrap on it
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 3, done.stderr
    assert done.stderr.strip() == (
        "error: jobs cannot be isolated: bubblewrap is not installed; install bubblewrap "
        "(Debian/Ubuntu: apt install bubblewrap) or pass --sandbox none to run jobs without "
        "isolation"
    )


@pytest.mark.service
def test_none_says_loudly_that_jobs_are_not_isolated(tmp_path: Path) -> None:
    server = RealServer(tmp_path / "data", "--sandbox", "none").start()
    try:
        with server.http() as http:
            health = http.get("/health").json()
    finally:
        stderr = server.stop()
    assert health["isolated"] is False and health["sandbox"] == "none"
    assert health["warning"] == "jobs are not isolated"
    assert "warning: jobs are NOT isolated (--sandbox none)" in stderr


@pytest.fixture(scope="module", params=JOB_STARTS)
def tight(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[Stage]:
    root = tmp_path_factory.mktemp("tight")
    unusable = _sandbox_usable(root / "probe") or job_start_usable(request.param)
    if unusable:
        pytest.skip(f"jobs cannot be isolated this way here: {unusable}")
    server = RealServer(
        root / "data", "--cpu-time", "2", "--open-files", "64", "--max-interim-results", "5",
        "--job-threads", "3", "--job-start", request.param,
    ).start()  # fmt: skip
    try:
        yield Stage(server)
    finally:
        server.stop()


def _ends(stage: Stage, source: str, name: str) -> dict:
    program = stage.upload(stage.attacker, name, source)
    return stage.wait(stage.attacker, stage.submit(stage.attacker, program, {}))


@pytest.mark.service
def test_health_says_what_isolates_jobs(tight: Stage) -> None:
    with tight.http(tight.attacker) as http:
        health = http.get("/health").json()
    assert health["isolated"] is True and health["sandbox"] == "bwrap"
    mechanisms = health["mechanisms"]
    assert mechanisms[0].startswith("bubblewrap: user, pid, network")
    assert mechanisms[1].startswith("seccomp: sockets other than Unix, io_uring, ptrace")
    assert health["limits"]["cpu_time_s"] == 2 and health["limits"]["open_files"] == 64
    assert health["limits"]["threads"] == 3
    if os.geteuid() == 0:
        assert mechanisms[2].startswith("unprivileged uids ")


@pytest.mark.service
def test_jobs_start_the_threads_they_are_given(tight: Stage) -> None:
    job = _ends(tight, THREADS, "threads")
    assert job["status"] == "COMPLETED", job
    with tight.http(tight.attacker) as http:
        seen = http.get(f"/jobs/{job['id']}/results").json()
    assert seen == {"OMP_NUM_THREADS": "3", "OPENBLAS_NUM_THREADS": "3", "RAYON_NUM_THREADS": "3"}


def test_threads_default_to_the_cores_shared_by_the_workers() -> None:
    from runtime_kit.sandbox.limits import JobLimits

    cores = os.cpu_count() or 1
    assert JobLimits().shared_by(2).threads == max(1, cores // 2)
    assert JobLimits().shared_by(cores * 4).threads == 1
    assert JobLimits(threads=5).shared_by(2).threads == 5


@pytest.mark.service
def test_cpu_time_cap_ends_the_job(tight: Stage) -> None:
    job = _ends(tight, BUSY, "busy")
    assert job["status"] == "FAILED"
    assert job["state"]["reason"].startswith("limit reached: CPU time (2 s"), job


@pytest.mark.service
def test_open_files_cap_ends_the_job(tight: Stage) -> None:
    job = _ends(tight, FILES, "files")
    assert job["status"] == "FAILED"
    assert job["state"]["reason"].startswith("limit reached: open files (64): OSError"), job


@pytest.mark.service
def test_interim_count_cap_ends_the_job(tight: Stage) -> None:
    program = tight.upload(tight.attacker, "chatty", HOSTILE)
    job_id = tight.submit(tight.attacker, program, {"attack": "interim", "count": 10, "kib": 1})
    job = tight.wait(tight.attacker, job_id)
    assert job["status"] == "FAILED"
    assert job["state"]["reason"] == "limit reached: interim results (5 per job)"
    with tight.http(tight.attacker) as http:
        assert len(json.loads(http.get(f"/jobs/{job_id}/interim_results").text)) == 5


def test_a_stopped_service_leaves_no_cgroup_behind(tmp_path: Path) -> None:
    from runtime_kit.sandbox.isolation import Isolation
    from runtime_kit.sandbox.limits import JobLimits

    isolation = Isolation("prefer", data_dir=tmp_path, limits=JobLimits())
    if isolation.cgroups is None:
        pytest.skip(f"no cgroups here: {isolation.cgroups_reason}")
    bases = list(isolation.cgroups.bases.values())
    confinement = isolation.confine("worker-1", tmp_path)
    assert all((base / "worker-1").is_dir() for base in bases)
    isolation.release(confinement)
    isolation.close()
    assert not any(base.exists() for base in bases)
