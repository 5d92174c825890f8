"""A job on a large device snapshot: runtime-kit's service against qiskit-ibm-runtime's local
mode, in the same run, on this machine.

    .venv/bin/python benchmarks/devices.py [--device ibm_sherbrooke] [--shots 1000] [--jobs 3]
                                           [--pause 3]

The circuit: a 3-qubit GHZ state, measured, ``--shots`` shots.
1. runtime-kit: a ``runtime-kit serve`` (isolated, the default, 2 workers) runs a program that
   transpiles the circuit for ``backend`` and runs it (``backend.run``); each job is timed
   from submit until its result is read.  Twice: a service as it starts by default (its
   warm workers prepare the device once a job has run on it), and one with
   ``--prepare-backends DEVICE`` (every warm worker prepares it from the start).  The first
   job warms the service; the figure is the median of the ``--jobs`` jobs after it, each
   submitted ``--pause`` seconds after the one before ended (a warm service: its next
   worker has started, imported qiskit and prepared what it prepares).
2. qiskit-ibm-runtime 0.51 (this venv's): ``SamplerV2(mode=Fake<Device>())`` on the circuit
   transpiled by ``generate_preset_pass_manager(backend=...)``, in a warm interpreter (its
   imports and the transpiler already run); each ``run(...).result()`` is timed, and the
   figure is the median of ``--jobs`` (its local mode rebuilds the noise model every job).
Goal (issue 23): runtime-kit's job at most 0.1x qiskit-ibm-runtime's.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.service import upload  # noqa: E402
from runtime_kit.backends.snapshots.provider import find_snapshot  # noqa: E402
from tests.service.real_server import RealServer  # noqa: E402

PROGRAM = """
from qiskit import QuantumCircuit, transpile

def main(backend, user_messenger, shots=1000):
    circuit = QuantumCircuit(3)
    circuit.h(0)
    circuit.cx(0, 1)
    circuit.cx(1, 2)
    circuit.measure_all()
    counts = backend.run(transpile(circuit, backend), shots=shots).result().get_counts()
    return counts
"""

LOCAL_MODE = r"""
import json, statistics, sys, time, warnings
warnings.simplefilter("ignore")
from qiskit import QuantumCircuit
from qiskit.transpiler import generate_preset_pass_manager
from qiskit_ibm_runtime import SamplerV2
from qiskit_ibm_runtime.fake_provider import FakeProviderForBackendV2
device, shots, jobs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
backend = next(b for b in FakeProviderForBackendV2().backends() if b.name == device)
circuit = QuantumCircuit(3)
circuit.h(0)
circuit.cx(0, 1)
circuit.cx(1, 2)
circuit.measure_all()
isa = generate_preset_pass_manager(backend=backend, optimization_level=1).run(circuit)
sampler = SamplerV2(mode=backend)
times = []
for _ in range(jobs):
    start = time.perf_counter()
    counts = sampler.run([isa], shots=shots).result()[0].data.meas.get_counts()
    times.append(time.perf_counter() - start)
    assert sum(counts.values()) == shots
print(json.dumps(times))
"""


def runtime_kit_jobs(
    device: str, shots: int, jobs: int, pause_s: float, *serve_args: str
) -> list[float]:
    """Submit -> result of ``jobs + 1`` jobs on a fresh service; the first is the warm-up."""
    with tempfile.TemporaryDirectory() as scratch:
        data = Path(scratch) / "data"
        server = RealServer(data, "--no-builtin-programs", *serve_args).start()
        try:
            with server.http() as http:
                program_id = upload(http, "ghz", PROGRAM)
                times = []
                for _ in range(jobs + 1):
                    time.sleep(pause_s)
                    times.append(one_job(server, http, program_id, device, shots))
                return times
        finally:
            server.stop()


def one_job(server: RealServer, http, program_id: str, device: str, shots: int) -> float:
    from websockets.sync.client import connect

    start = time.perf_counter()
    body = {"program_id": program_id, "backend": device, "params": {"shots": shots}}
    job_id = http.post("/jobs", content=json.dumps(body)).json()["id"]
    url = f"{server.ws_url}/stream/jobs/{job_id}"
    with connect(url, additional_headers={"X-Access-Token": server.token}) as ws:
        for _ in ws:  # the stream closes when the job ends
            pass
    counts = http.get(f"/jobs/{job_id}/results").json()
    elapsed = time.perf_counter() - start
    job = http.get(f"/jobs/{job_id}").json()
    if job["status"] != "COMPLETED" or sum(counts.values()) != shots:
        raise SystemExit(f"job {job_id} on {device}: {job['status']}: {counts}")
    return elapsed


def local_mode_jobs(device: str, shots: int, jobs: int) -> list[float]:
    snapshot = find_snapshot(device)
    if snapshot is None:
        raise SystemExit(f"{device} is not a device snapshot (runtime-kit backends list)")
    (fake,) = [alias for alias in (snapshot.name, *snapshot.aliases) if alias.startswith("fake_")]
    done = subprocess.run(
        [sys.executable, "-c", LOCAL_MODE, fake, str(shots), str(jobs)],
        capture_output=True, text=True, timeout=3600, check=True,
    )  # fmt: skip
    times: list[float] = json.loads(done.stdout.strip().splitlines()[-1])
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--device", default="ibm_sherbrooke")
    parser.add_argument("--shots", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=3)
    parser.add_argument("--pause", type=float, default=3.0, metavar="S")
    args = parser.parse_args()
    default = runtime_kit_jobs(args.device, args.shots, args.jobs, args.pause)
    prepared = runtime_kit_jobs(
        args.device, args.shots, args.jobs, args.pause, "--prepare-backends", args.device
    )
    theirs = local_mode_jobs(args.device, args.shots, args.jobs)
    baseline = statistics.median(theirs)
    print(f"3-qubit GHZ, {args.shots} shots, on {args.device}: seconds per job")
    print(f"{'':44} {'first':>7} {'median':>7} {'ratio':>6}")
    rows = [
        ("runtime-kit serve (submit -> result)", default),
        ("  with --prepare-backends " + args.device, prepared),
    ]
    for label, times in rows:
        warm = statistics.median(times[1:])
        print(f"{label:44} {times[0]:7.2f} {warm:7.2f} {warm / baseline:6.3f}")
    print(f"{'qiskit-ibm-runtime SamplerV2 (local mode)':44} {theirs[0]:7.2f} {baseline:7.2f} "
          f"{1:6.3f}")  # fmt: skip
    warm = statistics.median(default[1:])
    print(f"goal: ratio <= 0.1 by default ({'met' if warm / baseline <= 0.1 else 'NOT met'})")


if __name__ == "__main__":
    main()
