"""Fault test: ``kill -9`` the service while jobs are submitted and running, ten times;
after every restart, everything the API acknowledged is there and in a correct state."""

from __future__ import annotations

import json
import random
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.service.conftest import RealServer
from tests.service.test_server import PUBLISHER, upload

ROUNDS = 10
STATES = {"QUEUED", "RUNNING", "COMPLETED", "FAILED"}


@pytest.mark.service
def test_kill_9_loses_nothing_acknowledged(tmp_path: Path) -> None:
    server = RealServer(tmp_path / "data", "--workers", "2")
    acknowledged_programs: list[str] = []
    acknowledged_jobs: list[str] = []
    completed: dict[str, str] = {}  # job -> result seen before a kill
    chance = random.Random(20261125)
    try:
        for round_number in range(ROUNDS):
            server.start()
            _check(server, acknowledged_programs, acknowledged_jobs, completed)
            acknowledged_programs.append(upload(server, PUBLISHER, f"p{round_number}"))
            stop = threading.Event()
            submitter = threading.Thread(
                target=_submit_until,
                args=(server, acknowledged_programs[-1], acknowledged_jobs, stop),
            )
            submitter.start()
            time.sleep(chance.uniform(0.3, 1.5))
            _note_completed(server, acknowledged_jobs, completed)
            server.kill()
            stop.set()
            submitter.join(timeout=30)
        server.start()
        _check(server, acknowledged_programs, acknowledged_jobs, completed)
    finally:
        server.stop()
    assert len(acknowledged_jobs) >= ROUNDS and completed


def _submit_until(
    server: RealServer, program_id: str, acknowledged: list[str], stop: threading.Event
) -> None:
    body = json.dumps({"program_id": program_id, "params": {"count": 3, "pause": 0.05}})
    with server.http() as http:
        while not stop.is_set():
            try:
                response = http.post("/jobs", content=body)
            except httpx.HTTPError:
                return  # the service died mid-request: not acknowledged
            if response.status_code == 200:
                acknowledged.append(response.json()["id"])
            # A few jobs a round: every round checks every job acknowledged so far.
            stop.wait(0.15)


def _note_completed(server: RealServer, jobs: list[str], completed: dict[str, str]) -> None:
    with server.http() as http:
        for job_id in list(jobs):
            try:
                if http.get(f"/jobs/{job_id}").json()["status"] == "COMPLETED":
                    completed[job_id] = http.get(f"/jobs/{job_id}/results").text
            except httpx.HTTPError:
                return


def _check(
    server: RealServer, programs: list[str], jobs: list[str], completed: dict[str, str]
) -> None:
    with server.http() as http:
        listed = {p["id"] for p in http.get("/programs", params={"limit": 100}).json()["programs"]}
        assert set(programs) <= listed
        for job_id in jobs:
            response = http.get(f"/jobs/{job_id}")
            assert response.status_code == 200, f"acknowledged job {job_id} is gone"
            job = response.json()
            assert job["status"] in STATES, job
            if job["status"] == "FAILED":
                assert job["state"]["reason"] == "service stopped while the job was running"
            if job_id in completed:
                assert job["status"] == "COMPLETED"
                assert http.get(f"/jobs/{job_id}/results").text == completed[job_id]
                interim = json.loads(http.get(f"/jobs/{job_id}/interim_results").text)
                assert interim == [{"index": 0}, {"index": 1}, {"index": 2}]
