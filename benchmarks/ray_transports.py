"""How fast a message gets from a Ray worker to the driver, by each way Ray offers.

    .venv/bin/python benchmarks/ray_transports.py [--messages N]

The measurement behind the ray executor's design (``runtime_kit/service/executors/ray.py``):
a local Ray cluster (with its dashboard, for the Jobs API: needs ``pip install
'ray[default]'``), and N messages (default 50, 20 ms apart, each stamped with time.time())
sent by:
1. an actor method that is a streaming generator (what the executor uses);
2. a task that is a streaming generator;
3. a task that calls a broker actor, which the driver long-polls;
4. a Jobs API job (``JobSubmissionClient.submit_job``) printing them, read by the driver with
   ``tail_job_logs``; also its submit -> first line time (each job is a new driver process).
Prints p50/p99 of publish -> driver for each.  The goal of the interim results is a p50 of
100 ms from publish to the websocket.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shlex
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.service.ray_cluster import LocalRayCluster  # noqa: E402

PAUSE_S = 0.02


class Runner:
    def run(self, count: int):
        for _ in range(count):
            yield time.time()
            time.sleep(PAUSE_S)


def stream_task(count: int):
    for _ in range(count):
        yield time.time()
        time.sleep(PAUSE_S)


class Broker:
    def __init__(self) -> None:
        self.items: list[float | None] = []
        self.ready = threading.Condition()

    def put(self, item: float | None) -> None:
        with self.ready:
            self.items.append(item)
            self.ready.notify_all()

    def take(self, timeout: float) -> list[float | None]:
        with self.ready:
            self.ready.wait_for(lambda: self.items, timeout)
            items, self.items = self.items, []
            return items


def publish(broker, count: int) -> None:
    for _ in range(count):
        broker.put.remote(time.time())
        time.sleep(PAUSE_S)
    broker.put.remote(None)


def summary(latencies: list[float]) -> str:
    ordered = sorted(latencies[1:])  # the first pays the call's start
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"{statistics.median(ordered) * 1000:.1f} / {p99 * 1000:.1f} ms"


def measure(count: int, dashboard_url: str) -> dict[str, str]:
    import ray

    ray.init(log_to_driver=False, logging_level="WARNING")
    rows = {}
    runner = ray.remote(max_concurrency=2)(Runner).remote()
    ray.get(runner.__ray_ready__.remote())
    refs = runner.run.options(num_returns="streaming").remote(count)
    rows["actor streaming generator"] = summary([time.time() - ray.get(r) for r in refs])
    refs = ray.remote(stream_task).options(num_returns="streaming").remote(count)
    rows["task streaming generator"] = summary([time.time() - ray.get(r) for r in refs])
    broker = ray.remote(max_concurrency=4)(Broker).remote()
    ray.get(broker.__ray_ready__.remote())
    ray.remote(publish).remote(broker, count)
    latencies: list[float] = []
    while not latencies or len(latencies) < count:
        items = ray.get(broker.take.remote(5))
        latencies += [time.time() - item for item in items if item is not None]
        if None in items:
            break
    rows["task -> broker actor, long-polled"] = summary(latencies)
    rows.update(jobs_api(count, dashboard_url))
    ray.shutdown()
    return rows


def jobs_api(count: int, dashboard_url: str) -> dict[str, str]:
    from ray.job_submission import JobSubmissionClient

    client = JobSubmissionClient(dashboard_url)
    program = (
        f"import time\nfor _ in range({count}):\n"
        f"    print('T', time.time(), flush=True)\n    time.sleep({PAUSE_S})"
    )
    submitted = time.time()
    job = client.submit_job(entrypoint=f"python -c {shlex.quote(program)}")
    first: list[float] = []

    async def tail() -> list[float]:
        latencies = []
        async for lines in client.tail_job_logs(job):
            now = time.time()
            for line in lines.splitlines():
                if line.startswith("T "):
                    first.append(now)
                    latencies.append(now - float(line.split()[1]))
        return latencies

    latencies = asyncio.run(tail())
    return {
        "Jobs API log tail": summary(latencies),
        "Jobs API submit -> first line": f"{first[0] - submitted:.2f} s",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=50)
    args = parser.parse_args()
    cluster = LocalRayCluster(dashboard=True).start()
    os.environ.update(cluster.env)
    try:
        rows = measure(args.messages, cluster.dashboard_url)
        print(f"{args.messages} messages, {PAUSE_S * 1000:.0f} ms apart; one local Ray node")
        print("| way | publish -> driver p50 / p99 |")
        print("|---|---:|")
        for name, value in rows.items():
            print(f"| {name} | {value} |", flush=True)
    finally:
        cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
