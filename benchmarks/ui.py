"""The web view's server time, each against the API route that reads the same data, in the
same run, on a real ``runtime-kit serve``.

    .venv/bin/python benchmarks/ui.py [--repeat N]

1. ``GET /ui/jobs/{id}`` of a job with 1,000 interim results (readable rows, the chart of
   every numeric field, the histogram) against ``GET /jobs/{id}/interim_results`` (the
   same results as raw JSON).  Goal: <= 100 ms.
2. ``GET /ui/jobs`` (first page, newest first) among 10,000 jobs, for their owner and for an
   admin, against ``GET /jobs?limit=25``.  Goal: <= 100 ms.
Times are wall clock per request on 127.0.0.1 (p50 and p99 over N requests, after warm-up).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from runtime_kit.service.core.auth import Tokens  # noqa: E402
from runtime_kit.service.core.store import COMPLETED, Store, now  # noqa: E402
from tests.service.real_server import RealServer  # noqa: E402

JOBS = 10_000
INTERIM = 1_000
GOAL_MS = 100.0


def populate(data_dir: Path) -> tuple[str, str]:
    """10,000 jobs of one user (one with 1,000 interim results); (user token, that job)."""
    store = Store(data_dir)
    _, token = Tokens(store).create("bench", "user")
    owner = store.query_one("SELECT id FROM tokens WHERE name = 'bench'")["id"]
    stamp = now()
    rows = [
        (f"job-bench{n:011d}", owner, "bench-program", "aer_simulator", '{"steps": 3}',
         COMPLETED, stamp, stamp, n, json.dumps({"energy": -1.0}), "")
        for n in range(1, JOBS + 1)
    ]  # fmt: skip
    interim = [
        (rows[-1][0], n, json.dumps({"step": n, "energy": -1 + 1 / n, "width": n % 7,
                                     "counts": {"00": 500 - n % 50, "11": 524 + n % 50}}))
        for n in range(1, INTERIM + 1)
    ]  # fmt: skip
    with store.transaction() as db:
        db.executemany(
            "INSERT INTO jobs (id, owner, program_id, backend, params, status, created, "
            "updated, seq, result, logs) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        db.executemany("INSERT INTO interim (job_id, n, text) VALUES (?, ?, ?)", interim)
    store.close()
    return token, rows[-1][0]


def signed_in(url: str, token: str) -> httpx.Client:
    browser = httpx.Client(base_url=url, timeout=60)
    page = browser.get("/ui/sign-in").text
    secret = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    signed = browser.post("/ui/sign-in", data={"csrf": secret, "token": token})
    if signed.status_code != 303:
        raise SystemExit(f"sign-in failed: {signed.status_code}")
    return browser


def timed(client: httpx.Client, path: str, repeat: int, headers: dict | None = None) -> list[float]:
    for _ in range(3):
        client.get(path, headers=headers).raise_for_status()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        client.get(path, headers=headers).raise_for_status()
        times.append((time.perf_counter() - start) * 1000)
    return times


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        token, job = populate(data)
        server = RealServer(data, "--sandbox", "prefer", "--shutdown-timeout", "1").start()
        try:
            user, admin = signed_in(server.url, token), signed_in(server.url, server.token)
            as_user, as_admin = {"X-Access-Token": token}, {"X-Access-Token": server.token}
            cases = [
                (f"job page, {INTERIM} interim results", user, as_user, f"/ui/jobs/{job}",
                 f"/jobs/{job}/interim_results"),
                (f"jobs list of {JOBS} jobs (owner)", user, as_user, "/ui/jobs", "/jobs?limit=25"),
                (f"jobs list of {JOBS} jobs (admin)", admin, as_admin, "/ui/jobs",
                 "/jobs?limit=25"),
            ]  # fmt: skip
            print(f"{args.repeat} requests each; wall clock per request on 127.0.0.1")
            print("| page | /ui p50 ms | /ui p99 ms | API baseline p50 ms | ratio | goal |")
            print("|---|---:|---:|---:|---:|---|")
            failed = False
            for name, client, headers, page, baseline in cases:
                ui = timed(client, page, args.repeat)
                base = timed(client, baseline, args.repeat, headers=headers)
                ui50 = statistics.median(ui)
                ok = ui50 <= GOAL_MS
                failed |= not ok
                print(
                    f"| {name} | {ui50:.1f} | {p99(ui):.1f} | {statistics.median(base):.1f} "
                    f"| {ui50 / statistics.median(base):.1f}x | <= {GOAL_MS:.0f} ms "
                    f"{'ok' if ok else 'MISSED'} |"
                )
            user.close()
            admin.close()
        finally:
            server.stop()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
