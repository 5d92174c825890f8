"""``runtime-kit serve`` numbers, each against a baseline measured in the same run.

    .venv/bin/python benchmarks/service.py [--jobs N] [--repeat N]

1. A trivial job, submit -> result (HTTP submit, websocket until the result), against a cold
   ``python`` subprocess importing the same program and calling main() on the same backend
   (what running it without a warm service costs).  Goal: <= 0.1x.
2. Jobs per second with 2 workers: N trivial jobs submitted at once, until the last ends.
3. Interim publish -> websocket receive latency, p50 and p99 over 200 messages (the program
   stamps each message with time.time(); the client subtracts on receipt).  Goal: p50 <= 10 ms.
"""

from __future__ import annotations

import argparse
import base64
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.service.real_server import RealServer  # noqa: E402

TRIVIAL = "def main(backend, user_messenger):\n    return 'ok'\n"
STAMPER = """
import time

def main(backend, user_messenger, count=200):
    for index in range(count):
        user_messenger.publish({"index": index, "sent": time.time()})
        time.sleep(0.005)
    return "done"
"""
COLD = """
import sys
sys.path.insert(0, {directory!r})
from program import main
from runtime_kit.program.backend import ProgramBackend
from runtime_kit.program.messenger import UserMessenger
main(ProgramBackend(), UserMessenger())
"""


def upload(http, name: str, source: str) -> str:
    body = {"name": name, "data": base64.b64encode(source.encode()).decode(), "cost": 600,
            "description": name, "spec": {}}  # fmt: skip
    return http.post("/programs", content=json.dumps(body)).json()["id"]


def run_and_wait(server: RealServer, http, program_id: str, params: dict | None = None) -> list:
    from websockets.sync.client import connect

    job_id = http.post(
        "/jobs", content=json.dumps({"program_id": program_id, "params": params or {}})
    ).json()["id"]
    received = []
    url = f"{server.ws_url}/stream/jobs/{job_id}"
    with connect(url, additional_headers={"X-Access-Token": server.token}) as ws:
        for message in ws:
            received.append((time.time(), message))
    return received


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--jobs", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        program_dir = Path(tmp, "trivial")
        program_dir.mkdir()
        (program_dir / "program.py").write_text(TRIVIAL)
        server = RealServer(Path(tmp, "data"), "--workers", "2").start()
        try:
            with server.http() as http:
                trivial = upload(http, "trivial", TRIVIAL)
                stamper = upload(http, "stamper", STAMPER)
                run_and_wait(server, http, trivial)  # warm everything once
                time.sleep(2)
                service_s, cold_s = [], []
                for _ in range(args.repeat):
                    start = time.perf_counter()
                    run_and_wait(server, http, trivial)
                    service_s.append(time.perf_counter() - start)
                    start = time.perf_counter()
                    subprocess.run(
                        [sys.executable, "-c", COLD.format(directory=str(program_dir))],
                        check=True,
                        capture_output=True,
                    )
                    cold_s.append(time.perf_counter() - start)
                    time.sleep(1.5)  # let the pool replace the used worker
                start = time.perf_counter()
                ids = [
                    http.post("/jobs", content=json.dumps({"program_id": trivial})).json()["id"]
                    for _ in range(args.jobs)
                ]
                while True:
                    pending = http.get("/jobs", params={"pending": "true", "limit": 1}).json()[
                        "count"
                    ]
                    if pending == 0:
                        break
                    time.sleep(0.02)
                throughput = len(ids) / (time.perf_counter() - start)
                time.sleep(2)
                received = run_and_wait(server, http, stamper)
                latencies = sorted(
                    (at - json.loads(text)["sent"]) * 1000 for at, text in received[1:-1]
                )
        finally:
            server.stop()
    service, cold = statistics.median(service_s), statistics.median(cold_s)
    p50 = statistics.median(latencies)
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    print(f"median of {args.repeat}; {args.jobs} jobs for throughput; {len(latencies)} messages")
    print("| measure | runtime-kit serve | baseline | ratio | goal |")
    print("|---|---:|---:|---:|---|")
    print(
        f"| trivial job submit->result | {service * 1000:.0f} ms | cold python "
        f"{cold * 1000:.0f} ms | {service / cold:.3f} | <= 0.1 |"
    )
    print(
        f"| jobs per second, 2 workers | {throughput:.2f} /s | 1 / cold python = "
        f"{1 / cold:.2f} /s | {throughput * cold:.2f} | |"
    )
    print(f"| publish->websocket p50 / p99 | {p50:.1f} / {p99:.1f} ms | | | p50 <= 10 ms |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
