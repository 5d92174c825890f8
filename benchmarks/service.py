"""``runtime-kit serve`` numbers, each against a baseline measured in the same run.

    .venv/bin/python benchmarks/service.py [--jobs N] [--repeat N] [--sandboxes auto,none]

For each sandbox (default: ``auto``, the isolated default, and ``none``):
1. A trivial job, submit -> result (HTTP submit, websocket until the result), against a cold
   ``python`` subprocess importing the same program and calling main() on the same backend
   (what running it without a warm service costs).  Goal: <= 0.1x.
2. Jobs per second with 2 workers: N trivial jobs submitted at once, until the last ends
   (the median of 3 such bursts).
   Goal (issue 9): isolated, at least the 4.3/s measured before isolation on this machine.
3. Interim publish -> websocket receive latency, p50 and p99 over 200 messages (the program
   stamps each message with time.time(); the client subtracts on receipt).  Goal: p50 <= 10 ms.
Then, on the isolated service, each attack of issue 21 in turn (``service_attacks``): a
well-behaved user's ``GET /programs`` p50/p99 while it runs (goal: p99 under 100 ms on 2
cores; under 50 ms during 10 parallel 50 MiB uploads, issue 25) and the service's peak RSS
growth (goal: under 128 MiB); and how long another user's trivial job takes while one
uploader's two sleeping jobs were submitted first (they held both workers for 40 s).

    .venv/bin/python benchmarks/service.py --attacks-only   # the attack table alone

Issue 25, jobs forked from a warm template (``serve --job-start fork``) against a fresh
process per job (``exec``), two isolated services side by side, measured in turns:
trivial jobs per second with 2 workers (bursts of 40) and the CPU each job costs (the
service's, the template's and the job cgroups' CPU time over the burst, divided by the
jobs: goal < 50 ms a job, >= 20 jobs/s); a trivial job's submit -> result on an idle service
(goal < 30 ms); Aer jobs per second, 8 at once (goal: fork >= 1.3x exec); and another
user's ``GET /programs`` p99 during 10 parallel 50 MiB uploads on the fork service
(goal < 50 ms).

    .venv/bin/python benchmarks/service.py --job-starts-only   # that table alone
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.service_attacks import Attacks  # noqa: E402
from tests.service.real_server import RealServer  # noqa: E402

#: Bursts of N jobs for the throughput; the median is shown.
BURSTS = 3
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
    response = http.post("/programs", content=json.dumps(body))
    response.raise_for_status()
    return response.json()["id"]


def run_and_wait(
    server: RealServer,
    http,
    program_id: str,
    params: dict | None = None,
    backend: str | None = None,
) -> list:
    from websockets.sync.client import connect

    body = {"program_id": program_id, "params": params or {}}
    if backend is not None:
        body["backend"] = backend
    job_id = http.post("/jobs", content=json.dumps(body)).json()["id"]
    received = []
    url = f"{server.ws_url}/stream/jobs/{job_id}"
    with connect(url, additional_headers={"X-Access-Token": server.token}) as ws:
        for message in ws:
            received.append((time.time(), message))
    return received


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def measure_jobs(server: RealServer, repeat: int, jobs: int, program_dir: Path) -> dict:
    with server.http() as http:
        trivial = upload(http, "trivial", TRIVIAL)
        stamper = upload(http, "stamper", STAMPER)
        run_and_wait(server, http, trivial)  # warm everything once
        time.sleep(2)
        service_s, cold_s = [], []
        for _ in range(repeat):
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
        bursts = []
        for _ in range(BURSTS):  # one burst swings with the machine's other work
            start = time.perf_counter()
            for _ in range(jobs):
                http.post("/jobs", content=json.dumps({"program_id": trivial})).raise_for_status()
            while http.get("/jobs", params={"pending": "true", "limit": 1}).json()["count"]:
                time.sleep(0.02)
            bursts.append(jobs / (time.perf_counter() - start))
            time.sleep(2)
        received = run_and_wait(server, http, stamper)
    latencies = [(at - json.loads(text)["sent"]) * 1000 for at, text in received[1:-1]]
    return {
        "service_s": statistics.median(service_s),
        "cold_s": statistics.median(cold_s),
        "throughput": statistics.median(bursts),
        "p50": statistics.median(latencies),
        "p99": percentile(latencies, 0.99),
    }


AER_JOB = """
from qiskit import QuantumCircuit, transpile
from qiskit_aer import AerSimulator


def main(backend, user_messenger, qubits=5, shots=200):
    circuit = QuantumCircuit(qubits)
    circuit.h(0)
    for qubit in range(1, qubits):
        circuit.cx(0, qubit)
    circuit.measure_all()
    simulator = AerSimulator()
    counts = simulator.run(transpile(circuit, simulator), shots=shots).result().get_counts()
    return sum(counts.values())
"""
AER_AT_ONCE = 8
DEVICE = "ibm_sherbrooke"
DEVICE_JOB = """
from qiskit import QuantumCircuit, transpile


def main(backend, user_messenger):
    circuit = QuantumCircuit(3)
    circuit.h(0)
    circuit.cx(0, 1)
    circuit.cx(1, 2)
    circuit.measure_all()
    counts = backend.run(transpile(circuit, backend), shots=500).result().get_counts()
    return sum(counts.values())
"""
TICKS = os.sysconf("SC_CLK_TCK")


def own_cpu_s(pid: int) -> float:
    """CPU time of one process, its children's left out (``/proc/PID/stat``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def jobs_cpu_s(data_dir: Path) -> float:
    """CPU time of every job process of the service on ``data_dir`` so far: its job
    cgroups' parent accounts them all, removed ones included (cpuacct, or cgroup v2)."""
    from runtime_kit.sandbox.isolation import _service_key

    name = f"runtime-kit-{_service_key(data_dir)}"
    for top in ("/sys/fs/cgroup/cpuacct", "/sys/fs/cgroup/cpu,cpuacct", "/sys/fs/cgroup"):
        for directory, subdirectories, _ in os.walk(top):
            if os.path.basename(directory) != name:
                continue
            subdirectories.clear()
            usage = Path(directory, "cpuacct.usage")
            if usage.exists():
                return int(usage.read_text()) / 1e9
            for line in Path(directory, "cpu.stat").read_text().splitlines():
                if line.startswith("usage_usec "):
                    return int(line.split()[1]) / 1e6
    raise RuntimeError(f"no job cgroups of {data_dir} (the benchmark needs a root service)")


def tree_cpu_s(server: RealServer, http) -> float:
    """The CPU time of the service, of its template and of all its jobs' processes."""
    assert server.process is not None
    total = own_cpu_s(server.process.pid) + jobs_cpu_s(server.data_dir)
    template = http.get("/health").json()["job_start"]["template"]
    if template is not None:
        total += own_cpu_s(template["pid"])
    return total


def burst(http, program_id: str, count: int) -> None:
    """Submit ``count`` jobs at once; return when none is pending."""
    for _ in range(count):
        http.post("/jobs", content=json.dumps({"program_id": program_id})).raise_for_status()
    while http.get("/jobs", params={"pending": "true", "limit": 1}).json()["count"]:
        time.sleep(0.02)


def measure_job_starts(repeat: int, jobs: int, tmp: str) -> dict:
    """fork and exec side by side: each measure taken in turns on the two services."""
    servers = {
        start: RealServer(
            Path(tmp, f"data-{start}"), "--workers", "2", "--job-start", start,
            "--expensive-per-min", "100000", "--requests-per-s", "100000",
        ).start()
        for start in ("fork", "exec")
    }  # fmt: skip
    rows: dict[str, dict[str, list[float]]] = {start: {} for start in servers}
    try:
        clients = {start: server.http() for start, server in servers.items()}
        programs = {
            start: (upload(http, "trivial", TRIVIAL), upload(http, "aer", AER_JOB))
            for start, http in clients.items()
        }
        for start, server in servers.items():
            run_and_wait(server, clients[start], programs[start][0])  # warm everything once
        time.sleep(2)
        for _ in range(repeat):
            for start, server in servers.items():
                began = time.perf_counter()
                run_and_wait(server, clients[start], programs[start][0])
                rows[start].setdefault("submit_s", []).append(time.perf_counter() - began)
                time.sleep(1)
        for _ in range(BURSTS):
            for start, server in servers.items():
                http = clients[start]
                cpu_before, began = tree_cpu_s(server, http), time.perf_counter()
                burst(http, programs[start][0], jobs)
                elapsed = time.perf_counter() - began
                time.sleep(1)  # the last jobs' processes reaped
                cpu = tree_cpu_s(server, http) - cpu_before
                rows[start].setdefault("jobs_per_s", []).append(jobs / elapsed)
                rows[start].setdefault("cpu_per_job_s", []).append(cpu / jobs)
                time.sleep(2)
            for start in servers:
                began = time.perf_counter()
                burst(clients[start], programs[start][1], AER_AT_ONCE)
                rows[start].setdefault("aer_per_s", []).append(
                    AER_AT_ONCE / (time.perf_counter() - began)
                )
                time.sleep(2)
        for http in clients.values():
            http.close()
        uploads = "10 parallel 50 MiB uploads"
        during = Attacks(servers["fork"]).measure(only={"none (idle)", uploads})
    finally:
        for server in servers.values():
            server.stop()
    medians = {
        start: {name: statistics.median(values) for name, values in measures.items()}
        for start, measures in rows.items()
    }
    return {**medians, "uploads": during[uploads], "idle": during["none (idle)"]}


def measure_device_job(repeat: int, tmp: str) -> dict[str, float]:
    """``DEVICE_JOB`` on ``DEVICE``, submit -> result: median seconds per job, the two
    services measured in turns, each job on a warm worker (seconds apart)."""
    servers = {
        start: RealServer(
            Path(tmp, f"device-{start}"), "--workers", "2", "--job-start", start,
            "--prepare-backends", DEVICE, "--expensive-per-min", "100000",
        ).start()
        for start in ("fork", "exec")
    }  # fmt: skip
    took: dict[str, list[float]] = {start: [] for start in servers}
    try:
        clients = {start: server.http() for start, server in servers.items()}
        programs = {start: upload(http, "device", DEVICE_JOB) for start, http in clients.items()}
        for start, server in servers.items():
            run_and_wait(server, clients[start], programs[start], backend=DEVICE)  # once
        time.sleep(3)  # the next workers warm (an exec worker prepares the device)
        for _ in range(repeat):
            for start, server in servers.items():
                took[start].append(timed_device_job(server, clients[start], programs[start]))
                time.sleep(3)
        for http in clients.values():
            http.close()
    finally:
        for server in servers.values():
            server.stop()
    return {start: statistics.median(values) for start, values in took.items()}


def timed_device_job(server: RealServer, http, program_id: str) -> float:
    """Submit -> result (the stream's end, then the result fetched) of one device job."""
    from websockets.sync.client import connect

    began = time.perf_counter()
    body = {"program_id": program_id, "backend": DEVICE}
    job_id = http.post("/jobs", content=json.dumps(body)).json()["id"]
    url = f"{server.ws_url}/stream/jobs/{job_id}"
    with connect(url, additional_headers={"X-Access-Token": server.token}) as ws:
        for _ in ws:
            pass
    result = http.get(f"/jobs/{job_id}/results").text
    took = time.perf_counter() - began
    if result.strip() != "500":
        raise RuntimeError(f"the device job did not return its 500 shots' counts: {result}")
    return took


def print_device_job(device: dict[str, float], repeat: int) -> None:
    fork, exec_ = device["fork"], device["exec"]
    print(
        f"| 3-qubit job on the 127-qubit device snapshot ({DEVICE}), prepared in the template "
        f"(fork) or the worker (exec), submit -> result, median of {repeat} | {fork * 1000:.0f} "
        f"ms | {exec_ * 1000:.0f} ms | {fork / exec_:.2f} | < 1 s (fork) |"
    )


def print_job_starts(
    result: dict, device: dict[str, float], repeat: int, jobs: int, load: tuple[str, str]
) -> None:
    fork, exec_ = result["fork"], result["exec"]
    print(
        f"fork vs exec, side by side: medians of {repeat} submits, {BURSTS} bursts of {jobs} "
        f"trivial jobs and of {AER_AT_ONCE} Aer jobs; load average before {load[0]}, "
        f"after {load[1]} (2 cores, shared)"
    )
    print("| measure | fork | exec | fork / exec | goal |")
    print("|---|---:|---:|---:|---|")
    rows = [
        ("trivial jobs per second, 2 workers", "jobs_per_s", 1, "/s", ">= 20 /s (fork)"),
        ("CPU per trivial job", "cpu_per_job_s", 1000, "ms", "< 50 ms (fork)"),
        ("submit -> result, idle service", "submit_s", 1000, "ms", "< 30 ms (fork)"),
        (f"Aer jobs per second, {AER_AT_ONCE} at once", "aer_per_s", 1, "/s", ">= 1.3x"),
    ]
    for title, key, scale, unit, goal in rows:
        print(
            f"| {title} | {fork[key] * scale:.2f} {unit} | {exec_[key] * scale:.2f} {unit} | "
            f"{fork[key] / exec_[key]:.2f} | {goal} |"
        )
    p50, p99, _ = result["uploads"]
    idle_p50, idle_p99, _ = result["idle"]
    print(
        f"| another user's GET /programs during 10 parallel 50 MiB uploads (fork service) | "
        f"p50 {p50:.1f} ms, p99 {p99:.1f} ms | idle: p50 {idle_p50:.1f} ms, p99 "
        f"{idle_p99:.1f} ms | | p99 < 50 ms |"
    )
    print_device_job(device, repeat)


def device_job_only(repeat: int) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        before = _load()
        device = measure_device_job(repeat, tmp)
        print(f"load average before {before}, after {_load()} (2 cores, shared)")
        print("| measure | fork | exec | fork / exec | goal |")
        print("|---|---:|---:|---:|---|")
        print_device_job(device, repeat)
    return 0


def _load() -> str:
    return "/".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--jobs", type=int, default=40)
    parser.add_argument("--sandboxes", default="auto,none")
    parser.add_argument("--attacks-only", action="store_true", help="only the attack table")
    parser.add_argument(
        "--job-starts-only", action="store_true", help="only the fork vs exec table"
    )
    parser.add_argument(
        "--device-job-only", action="store_true", help="only the fork vs exec device job row"
    )
    args = parser.parse_args()
    if args.device_job_only:
        return device_job_only(args.repeat)
    if args.job_starts_only:
        with tempfile.TemporaryDirectory() as tmp:
            before = _load()
            result = measure_job_starts(args.repeat, args.jobs, tmp)
            device = measure_device_job(args.repeat, tmp)
            print_job_starts(result, device, args.repeat, args.jobs, (before, _load()))
        return 0
    rows = {}
    attacks = None
    fair_share_s = None
    with tempfile.TemporaryDirectory() as tmp:
        program_dir = Path(tmp, "trivial")
        program_dir.mkdir()
        (program_dir / "program.py").write_text(TRIVIAL)
        for sandbox in args.sandboxes.split(","):
            data = Path(tmp, f"data-{sandbox}")
            if args.attacks_only and sandbox != "auto":
                continue
            server = RealServer(data, "--workers", "2", "--sandbox", sandbox).start()
            try:
                if not args.attacks_only:
                    rows[sandbox] = measure_jobs(server, args.repeat, args.jobs, program_dir)
                if sandbox == "auto":
                    attack = Attacks(server)
                    attacks = attack.measure()
                    fair_share_s = attack.fair_share_s()
            finally:
                server.stop()
    print(
        f"median of {args.repeat}; {BURSTS} bursts of {args.jobs} jobs for throughput; 200 messages"
    )
    print("| measure | sandbox | runtime-kit serve | baseline | ratio | goal |")
    print("|---|---|---:|---:|---:|---|")
    for sandbox, row in rows.items():
        service, cold = row["service_s"], row["cold_s"]
        print(
            f"| trivial job submit->result | {sandbox} | {service * 1000:.0f} ms | cold python "
            f"{cold * 1000:.0f} ms | {service / cold:.3f} | <= 0.1 |"
        )
        print(
            f"| jobs per second, 2 workers | {sandbox} | {row['throughput']:.2f} /s | 1 / cold "
            f"python = {1 / cold:.2f} /s | {row['throughput'] * cold:.2f} | >= 4.3 /s isolated |"
        )
        print(
            f"| publish->websocket p50 / p99 | {sandbox} | {row['p50']:.1f} / {row['p99']:.1f} "
            "ms | | | p50 <= 10 ms |"
        )
    if attacks:
        print()
        print(
            "| under attack (isolated service) | another user's GET /programs p50 | p99 "
            "(goal < 100 ms) | service peak RSS growth (goal < 128 MiB) |"
        )
        print("|---|---:|---:|---:|")
        for name, (p50, p99, growth) in attacks.items():
            print(f"| {name} | {p50:.1f} ms | {p99:.1f} ms | {growth:.1f} MiB |")
    if fair_share_s is not None:
        print(
            f"\nanother user's trivial job, submitted after one uploader's two sleeping jobs: "
            f"{fair_share_s:.2f} s to its result (those jobs held both workers for 40 s before)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
