"""Attacks on the service itself (issue 21): a job, a low-privilege token or no token at
all trying to exhaust ``runtime-kit serve``'s memory, connections, CPU or storage.  Each test
is one attack against a real service started the documented way; the service must stay up,
answer the others, and refuse the attack with an error naming the limit.

The service's memory is read from ``/proc/PID/status``: its peak (``VmHWM``), reset before
each attack through ``/proc/PID/clear_refs`` so that the growth measured is the attack's.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import resource
import socket
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from runtime_kit.service.core.quotas import Quotas
from tests.service.conftest import source_of
from tests.service.real_server import RealServer
from tests.service.test_hostile_jobs import Stage, _sandbox_usable, _token
from tests.service.zip_crafting import crafted_zip

pytestmark = pytest.mark.service  # each test starts a service of its own

MIB = 1024 * 1024


class Memory:
    """The resident memory of a process: now, and its peak since the last ``reset``."""

    def __init__(self, pid: int) -> None:
        self.pid = pid

    def _status(self, field: str) -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
        raise AssertionError(f"no {field} in /proc/{self.pid}/status")

    def reset(self) -> int:
        """Start measuring the peak from now; the resident bytes now."""
        Path(f"/proc/{self.pid}/clear_refs").write_text("5")
        return self._status("VmRSS")

    def peak(self) -> int:
        return self._status("VmHWM")


@pytest.fixture(scope="module")
def stage(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stage]:
    root = tmp_path_factory.mktemp("hostile-service")
    unusable = _sandbox_usable(root / "probe")
    if unusable:
        pytest.skip(f"bubblewrap cannot isolate jobs here: {unusable}")
    server = RealServer(root / "data").start()
    try:
        yield Stage(server)
    finally:
        server.stop()


def memory_of(stage: Stage) -> Memory:
    assert stage.server.process is not None
    return Memory(stage.server.process.pid)


def test_a_frame_declared_larger_than_the_cap_is_refused_from_its_header(stage: Stage) -> None:
    memory = memory_of(stage)
    before = memory.reset()
    job, result = stage.attack_job("big_frame", declared=12 << 30, mib=1536)
    growth = memory.peak() - before
    print(f"service peak RSS growth: {growth / MIB:.1f} MiB")
    assert job["status"] == "FAILED", (job, result)
    assert job["state"]["reason"] == (
        f"limit reached: message size (an interim result of {12 << 30} bytes; at most {16 * MIB})"
    ), job
    assert growth < 32 * MIB


def test_a_frame_under_the_cap_costs_the_service_a_few_times_its_size(stage: Stage) -> None:
    # Python holds it once read and once decoded; SQLite copies it twice to insert it.
    memory = memory_of(stage)
    before = memory.reset()
    job, result = stage.attack_job("interim", count=1, kib=15 * 1024)
    growth = memory.peak() - before
    print(f"service peak RSS growth for a 15 MiB interim result: {growth / MIB:.1f} MiB")
    assert job["status"] == "COMPLETED", (job, result)
    assert growth < 4.5 * 15 * MIB


def test_a_malformed_frame_header_ends_the_job_at_once(stage: Stage) -> None:
    job, result = stage.attack_job("malformed_frame")
    assert job["status"] == "FAILED", (job, result)
    assert job["state"]["reason"].startswith("malformed frame on the harness pipe"), job


def _open_files_at_least(count: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < count:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(count, hard), hard))


def _half_sent(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
    return sock


def _answer(sock: socket.socket, timeout: float = 10) -> bytes:
    """What the service sends back until it closes (or ``timeout`` passes)."""
    sock.settimeout(timeout)
    received = b""
    with contextlib.suppress(TimeoutError, ConnectionResetError):
        while chunk := sock.recv(65536):
            received += chunk
    return received


def test_half_sent_requests_time_out_and_connections_over_the_cap_get_503(
    tmp_path: Path,
) -> None:
    # systemd's default file limit: 1,100 half-sent requests used to make the API unreachable
    _open_files_at_least(4096)
    # A header timeout that 1,100 connections take less to open, even on a loaded machine.
    header_timeout_s = 10
    server = RealServer(
        tmp_path / "data",
        "--sandbox",
        "none",
        "--header-timeout",
        str(header_timeout_s),
        open_files=1024,
    ).start()
    held: list[socket.socket] = []
    try:
        health = httpx.get(f"{server.url}/health").json()
        assert health["connections"]["max_connections"] == 1024 - 256
        started = time.monotonic()
        held = [_half_sent(server.port) for _ in range(1100)]
        over = held[-1]
        assert _answer(over, 5).startswith(b"HTTP/1.1 503 Service Unavailable"), "no 503"
        with pytest.raises(httpx.HTTPStatusError) as refused:
            httpx.get(f"{server.url}/health").raise_for_status()
        assert refused.value.response.status_code == 503
        assert refused.value.response.json()["error"]["code"] == "TOO_MANY_CONNECTIONS"
        assert refused.value.response.headers["retry-after"] == "1"
        # the half-sent ones end at the header timeout, with a 408
        assert _answer(held[0], 3 * header_timeout_s).startswith(b"HTTP/1.1 408 Request Timeout")
        assert time.monotonic() - started < 3 * header_timeout_s
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{server.url}/health", timeout=5).status_code == 200:
                    break
            time.sleep(0.2)
        else:
            raise AssertionError("the API did not come back after the header timeout")
    finally:
        for sock in held:
            sock.close()
        log = server.stop()
    assert "Traceback" not in log
    refusals = [line for line in log.splitlines() if " connections_refused " in line]
    assert 1 <= len(refusals) <= 5, refusals  # once per interval, with the count
    assert "count=" in refusals[0]
    assert len([line for line in log.splitlines() if " slow_request_headers " in line]) <= 5


def test_idle_and_half_sent_kept_alive_connections_are_closed(real_server: RealServer) -> None:
    request = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    address = ("127.0.0.1", real_server.port)
    with socket.create_connection(address, timeout=10) as idle:
        idle.sendall(request)
        started = time.monotonic()
        answer = _answer(idle, 20)  # the answer, then the close after the 5 s keep-alive
        assert answer.startswith(b"HTTP/1.1 200") and answer.endswith(b"}")
        assert 3 < time.monotonic() - started < 15
    with socket.create_connection(address, timeout=10) as stalled:
        stalled.sendall(request)
        stalled.settimeout(10)
        assert stalled.recv(65536).startswith(b"HTTP/1.1 200")
        stalled.sendall(b"GET /health HTTP/1.1\r\n")  # the next request, half sent
        assert b"HTTP/1.1 408" in _answer(stalled, 20)


def _post_raw(port: int, path: str, head: dict[str, str], body_mib: int, token: str = "") -> bytes:
    """POST ``body_mib`` MiB to ``path`` over a raw socket, as fast as the service takes it;
    what it answered (possibly before the body was all sent)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=60)
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{name}: {value}" for name, value in head.items()]
    if token:
        lines.append(f"X-Access-Token: {token}")
    try:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        chunk = b"x" * (1 << 16)
        if head.get("Transfer-Encoding") == "chunked":
            chunk = b"10000\r\n" + chunk + b"\r\n"
        with contextlib.suppress(OSError):
            for _ in range(body_mib * 16):
                sock.sendall(chunk)
        return _answer(sock, 30)
    finally:
        sock.close()


def _status_of(answer: bytes) -> int | None:
    return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1 ") else None


def test_forty_unauthenticated_63_mib_logins_cost_the_service_nothing(stage: Stage) -> None:
    memory = memory_of(stage)
    before = memory.reset()
    size = 63 * MIB
    heads = [{"Content-Length": str(size)}] * 20 + [{"Transfer-Encoding": "chunked"}] * 20
    with ThreadPoolExecutor(40) as pool:
        answers = list(
            pool.map(
                lambda head: _post_raw(stage.server.port, "/api/users/loginWithToken", head, 63),
                heads,
            )
        )
    growth = memory.peak() - before
    print(f"service peak RSS growth: {growth / MIB:.1f} MiB")
    statuses = [_status_of(answer) for answer in answers]
    # declared too large: refused unread; chunked: refused at 16 KiB (or the answer lost in
    # the reset); beyond 8 at once from one address: refused before anything (429)
    assert set(statuses[:20]) <= {413, 429}, statuses
    assert set(statuses[20:]) <= {413, 429, None}, statuses
    assert statuses.count(413) >= 8, statuses
    refused = next(answer for answer in answers if _status_of(answer) == 413)
    assert b"request body over 16384 bytes" in refused
    assert growth < 32 * MIB
    with stage.http(stage.attacker) as http:
        assert http.get("/programs").status_code == 200


def test_a_body_that_stops_arriving_is_408(tmp_path: Path) -> None:
    server = RealServer(tmp_path / "data", "--sandbox", "none", "--header-timeout", "2").start()
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
            sock.sendall(
                b"POST /jobs HTTP/1.1\r\nHost: x\r\nX-Access-Token: " + server.token.encode()
                + b"\r\nContent-Length: 1000\r\n\r\n{\"program_id\": "
            )  # fmt: skip
            started = time.monotonic()
            answer = _answer(sock, 20)
        assert _status_of(answer) == 408, answer
        assert b"the request body stopped arriving for 2 s" in answer
        assert time.monotonic() - started < 10
    finally:
        server.stop()


def test_ten_parallel_50_mib_uploads_are_streamed_to_disk(stage: Stage) -> None:
    memory = memory_of(stage)
    # bodies of ~50 MiB each (under the default 64 MiB): base64 of 37.5 MiB
    raw = os.urandom(50 * MIB * 3 // 4 - 4096)
    data = base64.b64encode(b"PK\x03\x04" + raw).decode()  # not a valid zip: refused at the end
    source = "def main(backend, user_messenger):\n    return 'big'\n# " + "x" * len(raw) + "\n"
    bodies = [
        json.dumps({"name": f"big{n}", "data": data, "cost": 60, "spec": {}}).encode()
        for n in range(9)
    ] + [json.dumps({"name": "big-source", "data": source_of(source), "cost": 60}).encode()]
    with stage.http(stage.server.token) as admin:  # an uploader each: one upload at a time
        uploaders = [_token(admin, f"uploader-{n}") for n in range(10)]
    before = memory.reset()

    def upload(token: str, body: bytes) -> httpx.Response:
        with stage.http(token) as http:
            return http.post("/programs", content=body, timeout=300)

    with ThreadPoolExecutor(10) as pool:
        uploads = [pool.submit(upload, *pair) for pair in zip(uploaders, bodies, strict=True)]
        timings = _list_timings(stage, until=lambda: all(u.done() for u in uploads))
        answers = [u.result() for u in uploads]
    growth = memory.peak() - before
    p99 = sorted(timings)[int(len(timings) * 0.99)] if timings else float("nan")
    print(f"peak RSS growth {growth / MIB:.1f} MiB; GET /programs p99 {p99:.0f} ms")
    assert [a.status_code for a in answers[:9]] == [400] * 9
    assert "not a valid zip bundle" in answers[0].json()["error"]["message"]
    assert answers[9].status_code == 200, answers[9].text
    with stage.http(uploaders[9]) as http:
        stored = http.get(f"/programs/{answers[9].json()['id']}").json()
    assert stored["data"] == source
    assert growth < 128 * MIB
    assert not list((stage.server.data_dir / "blobs" / ".incoming").iterdir())


def _list_timings(
    stage: Stage, until: Callable[[], bool], timeout_s: float = 300, pause_s: float = 0.01
) -> list[float]:
    """Milliseconds each ``GET /programs`` of the victim took, until ``until()`` (``pause_s``
    between two)."""
    timings = []
    deadline = time.monotonic() + timeout_s
    with stage.http(stage.victim) as http:
        while not until() and time.monotonic() < deadline:
            started = time.perf_counter()
            http.get("/programs").raise_for_status()
            timings.append((time.perf_counter() - started) * 1000)
            time.sleep(pause_s)
    return timings


def test_a_token_hammering_a_device_document_does_not_slow_another_user(stage: Stage) -> None:
    with stage.http(stage.server.token) as admin:
        hammerer = _token(admin, "hammer")
    stop = threading.Event()
    seen: Counter[int] = Counter()
    refusals: set[str] = set()

    def hammer() -> None:
        with stage.http(hammerer) as http:
            while not stop.is_set():
                answer = http.get("/backends/noisy-127/properties")
                seen[answer.status_code] += 1
                if answer.status_code == 429:
                    assert int(answer.headers["Retry-After"]) >= 1
                    refusals.add(answer.json()["error"]["message"])

    began = time.monotonic()
    # (both below the victim's own rate of requests per second)
    calm = _list_timings(stage, until=lambda: time.monotonic() - began > 5, pause_s=0.04)
    calm_p99 = sorted(calm)[int(len(calm) * 0.99)]
    hammers = [threading.Thread(target=hammer) for _ in range(8)]
    for thread in hammers:
        thread.start()
    try:
        time.sleep(1)
        started = time.monotonic()
        timings = _list_timings(stage, until=lambda: time.monotonic() - started > 15, pause_s=0.04)
    finally:
        stop.set()
        for thread in hammers:
            thread.join(timeout=60)
    p50, p99 = statistics.median(timings), sorted(timings)[int(len(timings) * 0.99)]
    print(
        f"hammering {dict(seen)}; GET /programs p50 {p50:.0f} ms, p99 {p99:.0f} ms "
        f"(before: p99 {calm_p99:.0f} ms)"
    )
    per_min = Quotas().expensive_per_min  # the default: a burst of a sixth, then per_min
    assert seen[200] <= per_min / 6 + per_min * 17 / 60 + 1, seen
    assert f"rate limit: {per_min:g} expensive requests per minute per token" in refusals
    # Goal < 100 ms on a quiet machine (benchmarks/service.py); a loaded one slows every
    # request, so the bound follows what the same requests took just before (unblocked, the
    # issue saw 9.4 s).
    assert p99 < max(1000, 5 * calm_p99), (p99, calm_p99)


def test_a_zip_of_half_a_million_entries_is_refused_from_its_end_record(stage: Stage) -> None:
    data = crafted_zip(560_866, name_bytes=40)  # 46 MiB, as it was reported
    body = json.dumps({"name": "entries", "data": base64.b64encode(data).decode(), "cost": 60})
    memory = memory_of(stage)
    before = memory.reset()
    started = time.monotonic()
    with stage.http(stage.attacker) as http:
        answer = http.post("/programs", content=body, timeout=120)
    elapsed = time.monotonic() - started
    growth = memory.peak() - before
    print(f"refused in {elapsed:.1f} s; service peak RSS growth {growth / MIB:.1f} MiB")
    assert answer.status_code == 413, answer.text
    assert answer.json()["error"]["message"] == "bundle has 560866 entries (limit 10000)"
    assert elapsed < 30  # it took 55 s of CPU before; most of this is the upload itself
    assert growth < 64 * MIB


def test_thirty_mib_descriptions_are_refused_and_lists_stay_small(stage: Stage) -> None:
    source = "def main(backend, user_messenger):\n    return 1\n"
    with stage.http(stage.attacker) as http:
        for number in range(3):
            body = {"name": f"wordy{number}", "data": source_of(source), "cost": 60,
                    "description": "w" * (30 * MIB)}  # fmt: skip
            answer = http.post("/programs", content=json.dumps(body), timeout=120)
            assert answer.status_code == 413, answer.text
            assert answer.json()["error"]["message"] == (
                "the fields other than data are over 2097152 bytes"
            )
        body = {"name": "wordy", "data": source_of(source), "cost": 60, "description": "w" * MIB}
        answer = http.post("/programs", content=json.dumps(body))
        assert answer.status_code == 413, answer.text
        assert answer.json()["error"]["message"] == (
            "description is 1048576 bytes (UTF-8); at most 16384"
        )
    with stage.http(stage.victim) as http:
        listed = http.get("/programs")
    assert listed.status_code == 200 and len(listed.content) < 1024 * 1024


def test_one_uploader_cannot_hold_every_worker(stage: Stage) -> None:
    markers = [f"/job/holder-{os.getpid()}-{n}-{time.monotonic_ns()}" for n in range(2)]
    holders = [
        stage.submit(stage.attacker, stage.hostile, {"attack": "sleep", "marker": marker})
        for marker in markers
    ]
    try:
        started = time.monotonic()
        victim_job = stage.submit(stage.victim, stage.victim_program, {})
        job = stage.wait(stage.victim, victim_job, timeout=120)
        waited = time.monotonic() - started
        print(f"the other user's job ended {waited:.1f} s after it was submitted")
        assert job["status"] == "COMPLETED", job
        with stage.http(stage.attacker) as http:
            states = [http.get(f"/jobs/{job_id}").json()["status"] for job_id in holders]
        assert sorted(states) == ["QUEUED", "RUNNING"], states  # one worker each at most
    finally:
        with stage.http(stage.attacker) as http:
            for job_id in holders:
                http.post(f"/jobs/{job_id}/cancel")


@pytest.fixture(scope="module")
def quota_stage(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stage]:
    """A service whose tokens may keep 3 jobs and store 32 MiB."""
    root = tmp_path_factory.mktemp("hostile-quotas")
    unusable = _sandbox_usable(root / "probe")
    if unusable:
        pytest.skip(f"bubblewrap cannot isolate jobs here: {unusable}")
    server = RealServer(root / "data", "--max-stored-mib", "32", "--max-jobs", "3").start()
    try:
        yield Stage(server)
    finally:
        server.stop()


def _store_bytes(data_dir: Path) -> int:
    return sum(path.stat().st_size for path in data_dir.glob("runtime-kit.sqlite3*"))


def test_sixty_mib_of_params_to_a_builtin_are_refused_by_the_quota(quota_stage: Stage) -> None:
    before = _store_bytes(quota_stage.server.data_dir)
    body = {"program_id": "hello-world", "params": {"iterations": 1, "extra": "x" * (60 * MIB)}}
    with quota_stage.http(quota_stage.attacker) as http:
        answer = http.post("/jobs", content=json.dumps(body), timeout=120)
    assert answer.status_code == 413, answer.text
    assert answer.json()["error"]["message"].startswith(
        "quota reached: 32 MiB stored per token (programs, params, interim results, logs, results)"
    )
    assert _store_bytes(quota_stage.server.data_dir) - before < MIB


def test_interim_floods_stop_at_the_stored_quota(quota_stage: Stage) -> None:
    jobs = [
        quota_stage.submit(quota_stage.attacker, quota_stage.hostile,
                           {"attack": "interim", "count": 30, "kib": 1000})
        for _ in range(2)
    ]  # fmt: skip
    ended = [quota_stage.wait(quota_stage.attacker, job_id) for job_id in jobs]
    reasons = [job["state"]["reason"] for job in ended]
    print(f"interim floods: {[job['status'] for job in ended]}; {reasons}")
    assert any(reason.startswith("quota reached: 32 MiB stored") for reason in reasons), reasons
    with quota_stage.http(quota_stage.attacker) as http:
        stored = sum(len(http.get(f"/jobs/{job_id}/interim_results").content) for job_id in jobs)
    assert stored <= 32 * MIB


def test_a_token_keeps_at_most_its_quota_of_jobs(quota_stage: Stage) -> None:
    marker = f"/job/quota-{os.getpid()}-{time.monotonic_ns()}"
    params = {"attack": "sleep", "marker": marker}
    with quota_stage.http(quota_stage.attacker) as http:
        for job in http.get("/jobs", params={"pending": "true"}).json()["jobs"]:
            http.post(f"/jobs/{job['id']}/cancel")
        answers = [
            http.post("/jobs", content=json.dumps({"program_id": quota_stage.hostile,
                                                    "params": params}))
            for _ in range(4)
        ]  # fmt: skip
        try:
            assert [a.status_code for a in answers] == [200, 200, 200, 429]
            assert (
                answers[3]
                .json()["error"]["message"]
                .startswith("quota reached: 3 queued or running jobs per token")
            )
        finally:
            for answer in answers[:3]:
                http.post(f"/jobs/{answer.json()['id']}/cancel")


def test_the_kernel_surface_a_job_has_no_use_for_is_closed(stage: Stage) -> None:
    started = time.monotonic()
    seen = stage.attack("kernel_surface")
    assert time.monotonic() - started < 60  # a ptrace of the sandbox's init hung the job
    print(f"kernel surface: {seen}")
    assert seen.pop("unix_socket")[0] == "ok"
    for family in ("vsock", "netlink"):
        assert seen.pop(family)[1] == "[Errno 97] Address family not supported by protocol"
    if "x32" in seen:
        assert seen.pop("x32")[1] == "[Errno 38] Function not implemented"
    for name, (outcome, message) in seen.items():
        assert (outcome, message) == ("PermissionError", "[Errno 1] Operation not permitted"), name
