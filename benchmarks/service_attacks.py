"""The attacks of issue 21 against a running service, each while a well-behaved user lists
programs: that user's ``GET /programs`` p50/p99 and the service's peak RSS growth under it.

Used by ``benchmarks/service.py`` (the table "under attack").  The well-behaved user is a
``user`` token asking every 50 ms (20/s, under the default rate limit); the attackers are
tokens of their own (an uploader each where one upload at a time would slow them), run in a
process of their own so that they do not share the measuring process's GIL.  The service's
peak RSS is its ``VmHWM``, reset through ``/proc/PID/clear_refs`` before each attack (root,
or the service's own user, may).
"""

from __future__ import annotations

import base64
import contextlib
import json
import multiprocessing
import os
import socket
import statistics
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import httpx

from tests.service.real_server import RealServer
from tests.service.zip_crafting import crafted_zip

ROOT = Path(__file__).resolve().parents[1]
HOSTILE_PROGRAM = (ROOT / "tests" / "service" / "hostile_program.py").read_text()
MIB = 1024 * 1024
#: Requests of the well-behaved user per attack.
SAMPLES = 120
FORK_BOMB = """
import subprocess, sys, time

def main(backend, user_messenger):
    children = []
    try:
        for _ in range(400):
            children.append(subprocess.Popen(["sleep", "30"]))
    except OSError:
        pass
    hog = subprocess.Popen([sys.executable, "-c", "b = b'x' * (6 << 30)"])
    for index in range(2000):
        user_messenger.publish({"index": index, "data": "x" * 30000})
    hog.wait()
    time.sleep(5)
"""


class Stop(Protocol):
    def is_set(self) -> bool: ...

    def wait(self, timeout: float | None = None) -> bool: ...


class Memory:
    """The service's resident memory: now, and its peak since ``reset``."""

    def __init__(self, pid: int) -> None:
        self.pid = pid

    def _field(self, name: str) -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith(name + ":"):
                return int(line.split()[1]) * 1024
        return 0

    def reset(self) -> int:
        Path(f"/proc/{self.pid}/clear_refs").write_text("5")
        return self._field("VmRSS")

    def peak(self) -> int:
        return self._field("VmHWM")


class Attacks:
    def __init__(self, server: RealServer) -> None:
        self.server = server
        with server.http() as admin:
            self.victim = self._token(admin, "victim", "user")
            self.attacker = self._token(admin, "attacker", "uploader")
            self.uploaders = [self._token(admin, f"uploader{n}", "uploader") for n in range(10)]
        with server.http(self.attacker) as http:
            self.hostile = _upload(http, "hostile", HOSTILE_PROGRAM)
            self.fork_bomb = _upload(http, "fork-bomb", FORK_BOMB)
            self.sleeper = _upload(
                http, "sleeper", "import time\n\ndef main(backend, user_messenger):\n"
                "    time.sleep(600)\n"
            )  # fmt: skip

    @staticmethod
    def _token(admin: httpx.Client, name: str, role: str) -> str:
        made = admin.post("/tokens", content=json.dumps({"name": name, "role": role}))
        made.raise_for_status()
        return str(made.json()["token"])

    # --- the measure ----------------------------------------------------------------------

    def measure(self, only: set[str] | None = None) -> dict[str, tuple[float, float, float]]:
        """attack -> (p50 ms, p99 ms, peak RSS growth MiB); ``only``: these attacks alone."""
        attacks: dict[str, Callable[[Stop], None]] = {
            "none (idle)": lambda stop: stop.wait(),
            "a job declaring a 12 GiB frame (again and again)": self._big_frames,
            "a job: fork bomb, 6 GiB, 2,000 interim results": self._fork_bomb,
            "900 half-sent request headers": self._half_sent,
            "40 unauthenticated 63 MiB logins at a time": self._logins,
            "10 parallel 50 MiB uploads": self._uploads,
            "8 loops of GET /backends/noisy-127/properties": self._properties,
            "uploads of a 560,866-entry zip": self._zip_entries,
            "uploads with 30 MiB descriptions": self._descriptions,
        }
        results = {}
        memory = Memory(self.server.process.pid)  # type: ignore[union-attr]
        context = multiprocessing.get_context("fork")
        for name, attack in attacks.items():
            if only is not None and name not in only:
                continue
            stop = context.Event()
            before = memory.reset()
            runner = context.Process(target=_swallowing(attack, stop), daemon=True)
            runner.start()
            time.sleep(1)  # the attack under way
            p50, p99 = self._victim_latencies()
            stop.set()
            runner.join(timeout=120)
            if runner.is_alive():
                runner.kill()
            growth = (memory.peak() - before) / MIB
            results[name] = (p50, p99, growth)
            self._cancel_all()
            time.sleep(2)
        return results

    def fair_share_s(self) -> float:
        """Seconds another user's trivial job takes while one uploader has two sleeping jobs
        submitted before it (it held both workers for 40 s before)."""
        with self.server.http(self.attacker) as http:
            for _ in range(2):
                http.post("/jobs", content=json.dumps({"program_id": self.sleeper}))
        with self.server.http() as admin:
            trivial = _upload(admin, "trivial-fair", "def main(backend, user_messenger):\n"
                              "    return 1\n")  # fmt: skip
            admin.put(f"/programs/{trivial}/public").raise_for_status()
        started = time.perf_counter()
        with self.server.http(self.victim) as http:
            job = http.post("/jobs", content=json.dumps({"program_id": trivial})).json()["id"]
            while http.get(f"/jobs/{job}").json()["status"] in ("QUEUED", "RUNNING"):
                time.sleep(0.05)
        waited = time.perf_counter() - started
        self._cancel_all()
        return waited

    def _victim_latencies(self) -> tuple[float, float]:
        timings = []
        with self.server.http(self.victim) as http:
            for _ in range(SAMPLES):
                started = time.perf_counter()
                http.get("/programs").raise_for_status()
                timings.append((time.perf_counter() - started) * 1000)
                time.sleep(0.05)
        ordered = sorted(timings)
        return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]

    def _cancel_all(self) -> None:
        with self.server.http() as admin:
            for job in admin.get("/jobs", params={"pending": "true", "limit": 100}).json()["jobs"]:
                admin.post(f"/jobs/{job['id']}/cancel")

    # --- the attacks: each runs until ``stop`` is set ------------------------------------

    def _big_frames(self, stop: Stop) -> None:
        params = {"attack": "big_frame", "declared": 12 << 30, "mib": 1536}
        self._jobs_again(stop, self.hostile, params)

    def _fork_bomb(self, stop: Stop) -> None:
        self._jobs_again(stop, self.fork_bomb, {})

    def _jobs_again(self, stop: Stop, program_id: str, params: dict[str, Any]) -> None:
        with self.server.http(self.attacker) as http:
            while not stop.is_set():
                body = {"program_id": program_id, "params": params}
                job = http.post("/jobs", content=json.dumps(body)).json().get("id")
                while job and not stop.is_set():
                    if http.get(f"/jobs/{job}").json()["status"] not in ("QUEUED", "RUNNING"):
                        break
                    time.sleep(0.2)

    def _half_sent(self, stop: Stop) -> None:
        held = []
        try:
            for _ in range(900):
                sock = socket.create_connection(("127.0.0.1", self.server.port), timeout=10)
                sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ")
                held.append(sock)
            stop.wait()
        finally:
            for sock in held:
                sock.close()

    def _logins(self, stop: Stop) -> None:
        def login() -> None:
            head = (
                b"POST /api/users/loginWithToken HTTP/1.1\r\nHost: x\r\n"
                b"Content-Length: " + str(63 * MIB).encode() + b"\r\n\r\n"
            )
            chunk = b"x" * (1 << 16)
            while not stop.is_set():
                with (
                    contextlib.suppress(OSError),
                    socket.create_connection(("127.0.0.1", self.server.port), timeout=10) as sock,
                ):
                    sock.sendall(head)
                    for _ in range(63 * 16):
                        sock.sendall(chunk)
                    sock.recv(4096)

        _in_threads(stop, [login] * 40)

    def _uploads(self, stop: Stop) -> None:
        raw = os.urandom(50 * MIB * 3 // 4 - 4096)
        data = base64.b64encode(b"PK\x03\x04" + raw).decode()  # refused at its end: not a zip
        bodies = [
            json.dumps({"name": f"big{n}", "data": data, "cost": 60, "spec": {}}).encode()
            for n in range(10)
        ]

        def upload(token: str, body: bytes) -> Callable[[], None]:
            def again() -> None:  # one upload after the other, as the rate limit allows
                with self.server.http(token) as http:
                    while not stop.is_set():
                        answer = http.post("/programs", content=body, timeout=300)
                        if answer.status_code == 429:
                            stop.wait(float(answer.headers.get("retry-after", "1")))

            return again

        _in_threads(stop, [upload(*pair) for pair in zip(self.uploaders, bodies, strict=True)])

    def _properties(self, stop: Stop) -> None:
        def hammer() -> None:
            with self.server.http(self.attacker) as http:
                while not stop.is_set():
                    http.get("/backends/noisy-127/properties")

        _in_threads(stop, [hammer] * 8)

    def _zip_entries(self, stop: Stop) -> None:
        data = base64.b64encode(crafted_zip(560_866, name_bytes=40)).decode()
        body = json.dumps({"name": "entries", "data": data, "cost": 60}).encode()
        with self.server.http(self.attacker) as http:
            while not stop.is_set():
                http.post("/programs", content=body, timeout=300)

    def _descriptions(self, stop: Stop) -> None:
        source = base64.b64encode(b"def main(backend, user_messenger):\n    return 1\n").decode()
        body = json.dumps(
            {"name": "wordy", "data": source, "cost": 60, "description": "w" * (30 * MIB)}
        ).encode()
        with self.server.http(self.attacker) as http:
            while not stop.is_set():
                http.post("/programs", content=body, timeout=300)


def _upload(http: httpx.Client, name: str, source: str) -> str:
    body = {"name": name, "data": base64.b64encode(source.encode()).decode(), "cost": 600,
            "spec": {}}  # fmt: skip
    answer = http.post("/programs", content=json.dumps(body))
    answer.raise_for_status()
    return str(answer.json()["id"])


def _in_threads(stop: Stop, actions: list[Callable[[], None]]) -> None:
    threads = [
        threading.Thread(target=_swallowing(lambda _, action=action: action(), stop))
        for action in actions
    ]
    for thread in threads:
        thread.start()
    stop.wait()
    for thread in threads:
        thread.join(timeout=300)


def _swallowing(attack: Callable[[threading.Event], None], stop: Stop) -> Callable[[], None]:
    """``attack(stop)``, its network errors ignored (the service refuses it: that is the
    point)."""

    def run() -> None:
        with contextlib.suppress(httpx.HTTPError, OSError):
            attack(stop)

    return run
