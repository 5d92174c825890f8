"""The ``local`` and ``ray`` executors side by side, in the same run, on this machine.

    .venv/bin/python benchmarks/executors.py [--trivial N] [--aer N] [--messages N] [--rounds N]

Starts a local Ray cluster (one head node on 127.0.0.1 with this machine's 2 CPUs, token
authentication on) and for each executor a ``runtime-kit serve --workers 2`` (isolated, the
default); then, in rounds that alternate between the two (the median of ``--rounds``, default
3, so that both see the same machine), measures:
1. N trivial jobs (default 40) submitted at once: jobs per second until the last result,
   and each job's submit -> result (websocket) p50.  Goal: ray at least half local's rate.
2. N Aer jobs (default 8: a 14-qubit, 40-layer circuit, 4000 shots), the same way.
3. Interim publish -> websocket latency p50/p99 over N messages (the program stamps each
   with time.time(); the client subtracts on receipt).  Goal: ray p50 <= 100 ms.
How many submissions one service's store takes, whatever the executor: benchmarks/store.py.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.service import STAMPER, TRIVIAL, percentile, upload  # noqa: E402
from tests.service.ray_cluster import LocalRayCluster  # noqa: E402
from tests.service.real_server import RealServer  # noqa: E402

AER = """
from qiskit import QuantumCircuit, transpile

def main(backend, user_messenger, qubits=14, layers=40, shots=4000):
    circuit = QuantumCircuit(qubits)
    for layer in range(layers):
        for qubit in range(qubits):
            circuit.rx(0.1 * (layer + qubit + 1), qubit)
        for qubit in range(layer % 2, qubits - 1, 2):
            circuit.cx(qubit, qubit + 1)
    circuit.measure_all()
    compiled = transpile(circuit, backend)
    counts = backend.run(compiled, shots=shots, seed_simulator=7).result().get_counts()
    return len(counts)
"""


def wait_result(server: RealServer, job_id: str) -> list[tuple[float, str]]:
    """Every websocket message of the job with its arrival time, until the close."""
    from websockets.sync.client import connect

    received = []
    url = f"{server.ws_url}/stream/jobs/{job_id}"
    headers = {"X-Access-Token": server.token}
    with connect(url, additional_headers=headers, open_timeout=60) as ws:
        for message in ws:
            received.append((time.time(), message))
    return received


def burst(server: RealServer, http, program_id: str, count: int) -> dict[str, float]:
    """``count`` jobs submitted at once: jobs/s to the last result, submit -> result p50."""
    ends: dict[str, float] = {}
    submitted: dict[str, float] = {}
    watchers = []

    def watch(job_id: str) -> None:
        wait_result(server, job_id)
        ends[job_id] = time.time()

    start = time.time()
    for _ in range(count):
        submitted_at = time.time()
        response = http.post("/jobs", content=json.dumps({"program_id": program_id}))
        job_id = response.json()["id"]
        submitted[job_id] = submitted_at
        watcher = threading.Thread(target=watch, args=(job_id,))
        watcher.start()
        watchers.append(watcher)
    for watcher in watchers:
        watcher.join(timeout=1800)
    failed = [j for j in submitted if http.get(f"/jobs/{j}").json()["status"] != "COMPLETED"]
    if failed or len(ends) != count:
        raise RuntimeError(f"{len(failed)} of {count} jobs did not complete (e.g. {failed[:1]})")
    return {
        "rate": count / (max(ends.values()) - start),
        "p50": statistics.median(ends[j] - submitted[j] for j in submitted),
    }


def interim(server: RealServer, http, program_id: str, count: int) -> dict[str, float]:
    job_id = http.post(
        "/jobs", content=json.dumps({"program_id": program_id, "params": {"count": count}})
    ).json()["id"]
    received = wait_result(server, job_id)
    latencies = [(at - json.loads(text)["sent"]) * 1000 for at, text in received[1:-1]]
    return {"p50": statistics.median(latencies), "p99": percentile(latencies, 0.99)}


def prepare(server: RealServer) -> dict[str, str]:
    """The programs, uploaded; both slots warmed once with each kind of job."""
    with server.http() as http:
        programs = {
            name: upload(http, name, source)
            for name, source in (("trivial", TRIVIAL), ("aer", AER), ("stamper", STAMPER))
        }
        burst(server, http, programs["trivial"], 2)
        burst(server, http, programs["aer"], 2)
    return programs


def measure(
    server: RealServer, programs: dict[str, str], args: argparse.Namespace
) -> dict[str, dict[str, float]]:
    with server.http() as http:
        return {
            "trivial": burst(server, http, programs["trivial"], args.trivial),
            "aer": burst(server, http, programs["aer"], args.aer),
            "interim": interim(server, http, programs["stamper"], args.messages),
        }


def median_of(rounds: list[dict[str, dict[str, float]]]) -> dict[str, dict[str, float]]:
    return {
        kind: {key: statistics.median(r[kind][key] for r in rounds) for key in rounds[0][kind]}
        for kind in rounds[0]
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trivial", type=int, default=40)
    parser.add_argument("--aer", type=int, default=8)
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    executors = {
        "local": ["--executor", "local"],
        "ray": ["--executor", "ray", "--ray-memory-mib", "1024"],
    }
    rounds: dict[str, list[dict[str, dict[str, float]]]] = {name: [] for name in executors}
    cluster = LocalRayCluster().start()
    os.environ.update(cluster.env)  # the services below are the cluster's drivers
    servers: dict[str, RealServer] = {}
    with tempfile.TemporaryDirectory() as tmp:  # the servers' logs live there: stop first
        try:
            for name, extra in executors.items():
                servers[name] = RealServer(Path(tmp, name), "--workers", "2", *extra).start()
            programs = {name: prepare(server) for name, server in servers.items()}
            time.sleep(3)
            for number in range(args.rounds):  # interleaved: both see the same machine
                order = list(executors) if number % 2 == 0 else list(reversed(executors))
                for name in order:
                    rounds[name].append(measure(servers[name], programs[name], args))
        finally:
            for server in servers.values():
                server.stop()
            cluster.stop()
    print_table({name: median_of(found) for name, found in rounds.items()}, args)
    return 0


def print_table(rows: dict, args: argparse.Namespace) -> None:
    local, ray = rows["local"], rows["ray"]
    print(
        f"median of {args.rounds} interleaved rounds; 2 workers each, isolated; {args.trivial} "
        f"trivial and {args.aer} Aer jobs submitted at once; {args.messages} interim messages; "
        "one local Ray node (2 CPUs) on 127.0.0.1"
    )
    print("| measure | local | ray | ray / local | goal |")
    print("|---|---:|---:|---:|---|")
    for kind, label in (("trivial", "trivial"), ("aer", "Aer")):
        rate, p50 = (local[kind]["rate"], ray[kind]["rate"]), (local[kind]["p50"], ray[kind]["p50"])
        goal = "ray >= 0.5" if kind == "trivial" else ""
        print(
            f"| {label} jobs per second | {rate[0]:.2f} | {rate[1]:.2f} | "
            f"{rate[1] / rate[0]:.2f} | {goal} |"
        )
        print(
            f"| {label} submit->result p50 | {p50[0]:.2f} s | {p50[1]:.2f} s | "
            f"{p50[1] / p50[0]:.2f} | |"
        )
    li, ri = local["interim"], ray["interim"]
    print(
        f"| interim publish->websocket p50 / p99 | {li['p50']:.1f} / {li['p99']:.1f} ms | "
        f"{ri['p50']:.1f} / {ri['p99']:.1f} ms | {ri['p50'] / li['p50']:.2f} | "
        "ray p50 <= 100 ms |"
    )


if __name__ == "__main__":
    sys.exit(main())
