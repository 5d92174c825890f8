"""A real ``runtime-kit serve`` on 127.0.0.1: websocket streams, cancel, limits, restarts."""

from __future__ import annotations

import json
import time
from pathlib import Path

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tests.service.conftest import RealServer, program_body, source_of

PUBLISHER = """
import time

def main(backend, user_messenger, count=5, pause=0.2):
    for index in range(count):
        user_messenger.publish({"index": index})
        time.sleep(pause)
    return "published all"
"""
SLEEPER = """
import subprocess, time

def main(backend, user_messenger, seconds="300"):
    subprocess.Popen(["sleep", seconds])
    user_messenger.publish("sleeping")
    while True:
        time.sleep(0.1)
"""


def upload(server: RealServer, source: str, name: str, cost: int = 60) -> str:
    with server.http() as http:
        body = {**program_body(name), "data": source_of(source), "spec": {}, "cost": cost}
        response = http.post("/programs", content=json.dumps(body))
        assert response.status_code == 200, response.text
        return response.json()["id"]


def submit(server: RealServer, program_id: str, params: dict | None = None) -> str:
    with server.http() as http:
        body = {"program_id": program_id, "params": params or {}}
        return http.post("/jobs", content=json.dumps(body)).json()["id"]


def status(server: RealServer, job_id: str) -> str:
    with server.http() as http:
        return http.get(f"/jobs/{job_id}").json()["status"]


def wait_status(server: RealServer, job_id: str, wanted: set[str], timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        current = status(server, job_id)
        if current in wanted:
            return current
        time.sleep(0.05)
    raise AssertionError(f"{job_id} is {current}, not {wanted}")


def stream(
    server: RealServer, job_id: str, since: int = 0, stop_after: int | None = None
) -> tuple[list[str], int | None]:
    """Messages received (ACK first), and the close code (None when we stopped early)."""
    received: list[str] = []
    url = f"{server.ws_url}/stream/jobs/{job_id}?since={since}"
    with connect(url, additional_headers={"X-Access-Token": server.token}, open_timeout=10) as ws:
        try:
            while True:
                received.append(ws.recv(timeout=60))
                if stop_after is not None and len(received) == stop_after:
                    return received, None
        except ConnectionClosed as closed:
            return received, closed.rcvd.code if closed.rcvd else None


def test_stream_ack_interim_results_only_and_normal_close(real_server: RealServer) -> None:
    job_id = submit(real_server, upload(real_server, PUBLISHER, "publisher"))
    received, code = stream(real_server, job_id)
    assert received[0] == "ACK"
    # the result is no interim result: it is the results route's, as on IBM's service
    assert [json.loads(m) for m in received[1:]] == [{"index": i} for i in range(5)]
    assert code == 1000
    with real_server.http() as http:
        assert http.get(f"/jobs/{job_id}/results").json() == "published all"
    finished, code = stream(real_server, job_id)
    assert (finished, code) == (["ACK"], 1000)


FINAL_PUBLISHER = """
import time

def main(backend, user_messenger):
    for index in range(3):
        user_messenger.publish({"index": index})
        time.sleep(0.2)
    user_messenger.publish({"final": True}, final=True)
"""


def test_a_result_published_final_is_not_streamed_either(real_server: RealServer) -> None:
    """The legacy way to give the result (IBM's own integration-test program): it is the
    job's result, and the stream, of interim results only, does not carry it."""
    job_id = submit(real_server, upload(real_server, FINAL_PUBLISHER, "final-publisher"))
    received, code = stream(real_server, job_id)
    assert [json.loads(m) for m in received[1:]] == [{"index": i} for i in range(3)]
    assert code == 1000
    with real_server.http() as http:
        assert http.get(f"/jobs/{job_id}/results").json() == {"final": True}
        assert http.get(f"/jobs/{job_id}/interim_results").json() == [
            {"index": i} for i in range(3)
        ]


def test_reconnect_with_since_loses_and_repeats_nothing(real_server: RealServer) -> None:
    job_id = submit(
        real_server, upload(real_server, PUBLISHER, "publisher"), {"count": 8, "pause": 0.15}
    )
    first, _ = stream(real_server, job_id, stop_after=4)  # ACK + messages 1..3, then drop
    assert first[0] == "ACK"
    rest, code = stream(real_server, job_id, since=3)
    messages = [json.loads(m) for m in first[1:] + rest[1:]]
    assert messages == [{"index": i} for i in range(8)]
    assert code == 1000


def _processes_matching(text: str) -> list[str]:
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            command = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if text in command:
            found.append(command)
    return found


def _wait_gone(text: str, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _processes_matching(text):
            return True
        time.sleep(0.1)
    return False
