"""How many job submissions the service's store sustains, and ``POST /jobs`` under load.

    .venv/bin/python benchmarks/store.py [--seconds S] [--clients N]

1. The store alone: job rows inserted one transaction each (``synchronous=FULL``: each
   commit waits for the disk), for S seconds, from 1 and from 8 threads; against the same
   with ``synchronous=NORMAL`` (what FULL costs) in the same run.
2. ``POST /jobs`` on a real ``runtime-kit serve`` from N concurrent clients (default 50, one
   connection each) for S seconds: submissions per second and p50/p99 latency.  The one
   worker is kept busy by a sleeping job first, so the submitted jobs queue and the CPU
   goes to the API and the store (what this measures), not to running jobs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from runtime_kit.service.core.store import QUEUED, Store, now, random_id  # noqa: E402
from tests.service.real_server import RealServer  # noqa: E402

TRIVIAL = "def main(backend, user_messenger):\n    return 'ok'\n"
SLEEPER = "import time\n\ndef main(backend, user_messenger):\n    time.sleep(600)\n"


def insert_rate(directory: Path, seconds: float, threads: int, synchronous: str) -> float:
    store = Store(directory)
    store._db.execute(f"PRAGMA synchronous={synchronous}")
    count = 0
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def submit() -> None:
        nonlocal count
        while time.perf_counter() < deadline:
            with store.transaction() as db:
                seq = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM jobs").fetchone()[0]
                db.execute(
                    "INSERT INTO jobs (id, owner, program_id, backend, params, status, created, "
                    "updated, seq) VALUES (?, 'o', 'p', 'aer_simulator', '{}', ?, ?, ?, ?)",
                    (f"job-{random_id(16)}", QUEUED, now(), now(), seq),
                )
            with lock:
                count += 1

    started = time.perf_counter()
    workers = [threading.Thread(target=submit) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    rate = count / (time.perf_counter() - started)
    store.close()
    return rate


async def post_jobs(server: RealServer, program_id: str, clients: int, seconds: float) -> dict:
    import httpx

    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    body = json.dumps({"program_id": program_id})

    async def client() -> None:
        async with httpx.AsyncClient(
            base_url=server.url, headers={"X-Access-Token": server.token}, timeout=60
        ) as http:
            while time.perf_counter() < deadline:
                start = time.perf_counter()
                response = await http.post("/jobs", content=body)
                latencies.append(time.perf_counter() - start)
                response.raise_for_status()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "rate": len(latencies) / elapsed,
        "p50": statistics.median(ordered) * 1000,
        "p99": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
        "count": len(latencies),
    }


def _program(name: str, source: str) -> dict[str, object]:
    import base64

    data = base64.b64encode(source.encode()).decode()
    return {"name": name, "data": data, "cost": 600, "spec": {}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=50)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for threads in (1, 8):
            full = insert_rate(Path(tmp, f"full-{threads}"), args.seconds, threads, "FULL")
            normal = insert_rate(Path(tmp, f"normal-{threads}"), args.seconds, threads, "NORMAL")
            rows.append((threads, full, normal))
        server = RealServer(Path(tmp, "data"), "--workers", "1").start()
        try:
            with server.http() as http:
                program_id, sleeper = (
                    http.post("/programs", content=json.dumps(_program(name, source))).json()["id"]
                    for name, source in (("trivial", TRIVIAL), ("sleeper", SLEEPER))
                )
                busy = http.post("/jobs", content=json.dumps({"program_id": sleeper})).json()
                while http.get(f"/jobs/{busy['id']}").json()["status"] != "RUNNING":
                    time.sleep(0.05)
                time.sleep(3)  # the replacement worker warms up
            posted = asyncio.run(post_jobs(server, program_id, args.clients, args.seconds))
        finally:
            server.stop()
    print(f"{args.seconds:g} s each; store on {tmp}")
    print("| store: job submissions | synchronous=FULL /s | synchronous=NORMAL /s | FULL/NORMAL |")
    print("|---|---:|---:|---:|")
    for threads, full, normal in rows:
        print(f"| {threads} thread(s) | {full:.0f} | {normal:.0f} | {full / normal:.2f} |")
    print()
    print(f"| POST /jobs, {args.clients} concurrent clients | /s | p50 ms | p99 ms | requests |")
    print("|---|---:|---:|---:|---:|")
    print(
        f"| runtime-kit serve | {posted['rate']:.0f} | {posted['p50']:.1f} | {posted['p99']:.1f} "
        f"| {posted['count']} |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
