"""Program environments: the first build, and the per-job cost of a built one.

    .venv/bin/python benchmarks/environments.py [--rounds N] [--jobs N] [--skip-cold]
        [--service-only] [--cold-environments]

1. The first build of qiskit-terra 0.23 + qiskit-aer 0.12 (+ numpy<2, scipy<1.12) on this
   machine's Python 3.11, with uv's download cache cold (a fresh one: everything downloaded
   from PyPI) and warm (the downloads of the cold build kept, the environment removed), in
   ``--rounds`` rounds, cold and warm alternating; the median of each.
2. The per-job cost of an environment already built: ``runtime-kit run`` of a trivial
   program (one Bell circuit, 100 shots) in that environment, against the same program
   without requirements (runtime-kit's own environment), fresh processes, runs alternating,
   the median of ``--jobs`` each.  Goal (issue 24): within 0.1 s.  ``runtime-kit run``
   starts a fresh interpreter for every run, either way.

3. On ``runtime-kit serve`` (its default sandbox), submit -> result over the websocket of
   the same Bell program, and of a ``main()`` that returns at once (the cost of the job's
   process alone): without requirements (a worker forked from the warm template), as an
   overlay (requirements ``cvxopt``: runtime-kit's own child, forked from the template, the
   overlay on its path) and in the built terra 0.23 environment (its interpreter and the
   job-side runner, which have imported that Qiskit and Aer: forked from that environment's
   own template where the fork path holds); both warm workers of their environments
   (``--warm-environments``, made after the environment's previous job), or
   with ``--cold-environments`` made for each job (``--warm-environments 0``); rounds
   alternating, the median of ``--jobs`` each.

The machine's load (1-minute average) is printed before and after: on a shared machine the
figures move with it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from runtime_kit.environments.builder import EnvironmentBuilder
from runtime_kit.environments.cache import EnvironmentCache
from runtime_kit.environments.declaration import EnvironmentSpec

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
REQUIREMENTS = ("qiskit-terra==0.23.*", "qiskit-aer==0.12.*", "numpy<2", "scipy<1.12")
PROGRAM = """
from qiskit import QuantumCircuit, transpile


def main(backend, user_messenger, **kwargs):
    circuit = QuantumCircuit(2)
    circuit.h(0)
    circuit.cx(0, 1)
    circuit.measure_all()
    counts = backend.run(transpile(circuit, backend), shots=100).result().get_counts()
    return {"counts": counts}
"""
TRIVIAL = """
def main(backend, user_messenger, **kwargs):
    return "ok"
"""
METADATA = '{"name": "bell", "description": "bell", "max_execution_time": 300}'


def build_seconds(root: Path) -> float:
    builder = EnvironmentBuilder(EnvironmentCache(root))
    started = time.perf_counter()
    builder.prepare(EnvironmentSpec(REQUIREMENTS), domain="bench", log=lambda line: None)
    return time.perf_counter() - started


def drop_environments(root: Path, *, downloads: bool) -> None:
    parts = ["envs", "resolved", "locks", "building"] + (["uv"] if downloads else [])
    for part in parts:
        path = root / part
        if path.exists():
            subprocess.run(["chmod", "-R", "u+w", str(path)], check=True)
            shutil.rmtree(path)


def run_seconds(program: Path, env_dir: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        [str(Path(sys.executable).with_name("runtime-kit")), "run", str(program), "--seed", "1"],
        check=True,
        capture_output=True,
        env={"RUNTIME_KIT_ENVIRONMENTS_DIR": str(env_dir), "PATH": "/usr/bin:/bin"},
        timeout=600,
    )
    return time.perf_counter() - started


def service_seconds(
    root: Path, programs: dict[str, Path], jobs: int, warm_environments: int
) -> dict[str, list[float]]:
    """submit -> result on a real ``serve`` for each program, rounds alternating."""
    from websockets.sync.client import connect

    from runtime_kit.bundle.builder import build_bundle
    from tests.service.real_server import RealServer

    server = RealServer(
        root.parent / "service-data",
        "--environments-dir",
        str(root),
        "--warm-environments",
        str(warm_environments),
    ).start()
    try:
        with server.http() as http:
            ids = {}
            for name, directory in programs.items():
                bundle = build_bundle(directory)
                body = {**bundle.metadata, "name": f"bench-{name}", "data": bundle.upload_data()}
                ids[name] = http.post("/programs", json=body).json()["id"]

            def submit_to_result(program_id: str) -> float:
                started = time.perf_counter()
                job = http.post("/jobs", json={"program_id": program_id, "params": {}}).json()
                url = f"{server.ws_url}/stream/jobs/{job['id']}"
                with connect(url, additional_headers={"X-Access-Token": server.token}) as ws:
                    for _ in ws:
                        pass
                elapsed = time.perf_counter() - started
                status = http.get(f"/jobs/{job['id']}").json()["status"]
                if status != "COMPLETED":
                    raise SystemExit(f"{program_id}: job {job['id']} ended {status}")
                return elapsed

            for program_id in ids.values():  # builds (the overlay), warms the pool
                submit_to_result(program_id)
                time.sleep(3)
            times: dict[str, list[float]] = {name: [] for name in programs}
            for _ in range(jobs):
                for name, program_id in ids.items():
                    times[name].append(submit_to_result(program_id))
                    time.sleep(3)  # the worker the job used is replaced (and imports)
    finally:
        server.stop()
    return times


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} cores"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3, help="cold and warm builds each")
    parser.add_argument("--jobs", type=int, default=7, help="runs of each kind of job")
    parser.add_argument("--skip-cold", action="store_true", help="no cold build (no download)")
    parser.add_argument("--service-only", action="store_true", help="only the serve jobs (3.)")
    parser.add_argument(
        "--cold-environments",
        action="store_true",
        help="serve with --warm-environments 0 (a process started for each environment's job)",
    )
    args = parser.parse_args()
    print(f"load before: {load()}")
    with tempfile.TemporaryDirectory(prefix="rk-env-bench-") as scratch:
        root = Path(scratch) / "environments"
        if not args.service_only:
            show_builds(root, args.rounds, cold=not args.skip_cold)
        plain, own = Path(scratch) / "plain", Path(scratch) / "own"
        for directory in (plain, own):
            directory.mkdir()
            (directory / "program.py").write_text(PROGRAM)
            (directory / "metadata.json").write_text(METADATA)
        (own / "requirements.txt").write_text("\n".join(REQUIREMENTS) + "\n")
        if not args.service_only:
            show_runs(root, plain, own, args.jobs)
        warm = 0 if args.cold_environments else 2
        show_service(root, Path(scratch), plain, own, args.jobs, warm)
    print(f"load after: {load()}")


def show_builds(root: Path, rounds: int, *, cold: bool) -> None:
    builds: dict[str, list[float]] = {"cold": [], "warm": []}
    for _ in range(rounds):
        drop_environments(root, downloads=True)
        seconds = build_seconds(root)
        if cold:
            builds["cold"].append(seconds)
        drop_environments(root, downloads=False)
        builds["warm"].append(build_seconds(root))
    print("\n| first build (terra 0.23 + Aer 0.12) | median s | runs s |\n|---|---|---|")
    for name, values in builds.items():
        if values:
            runs = ", ".join(f"{value:.1f}" for value in values)
            print(f"| uv cache {name} | {statistics.median(values):.1f} | {runs} |")


def show_runs(root: Path, plain: Path, own: Path, jobs: int) -> None:
    run_seconds(own, root)  # resolution remembered, bytecode warm
    run_seconds(plain, root)
    times: dict[str, list[float]] = {"plain": [], "own": []}
    for _ in range(jobs):
        times["plain"].append(run_seconds(plain, root))
        times["own"].append(run_seconds(own, root))
    base, env = statistics.median(times["plain"]), statistics.median(times["own"])
    print("\n| job | runtime-kit run s (median) | vs no requirements |\n|---|---|---|")
    print(f"| no requirements (runtime-kit's environment) | {base:.2f} | 1.00 |")
    print(f"| built environment (terra 0.23 + Aer 0.12) | {env:.2f} | {env / base:.2f} "
          f"({env - base:+.2f} s) |")  # fmt: skip
    print(f"\nruns s: plain {', '.join(f'{t:.2f}' for t in times['plain'])}; "
          f"environment {', '.join(f'{t:.2f}' for t in times['own'])}")  # fmt: skip


def show_service(
    root: Path, scratch: Path, plain: Path, own: Path, jobs: int, warm_environments: int
) -> None:
    programs = {}
    for kind, source in (("plain", plain), ("own", own)):
        for shape, text in (("bell", PROGRAM), ("trivial", TRIVIAL)):
            directory = scratch / f"{kind}-{shape}"
            shutil.copytree(source, directory)
            (directory / "program.py").write_text(text)
            programs[f"{kind}-{shape}"] = directory
    for shape in ("bell", "trivial"):
        directory = scratch / f"overlay-{shape}"
        shutil.copytree(programs[f"plain-{shape}"], directory)
        (directory / "requirements.txt").write_text("cvxopt\n")
        programs[f"overlay-{shape}"] = directory
    served = service_seconds(root, programs, jobs, warm_environments)
    started = "warm worker" if warm_environments else "worker made for the job"
    labels = {"plain": "no requirements (a worker forked from the template)",
              "overlay": f"overlay (cvxopt; a {started})",
              "own": f"environment of its own (terra 0.23 + Aer 0.12; a {started})"}  # fmt: skip
    print("\n| serve: submit -> result, s (median) | Bell circuit | vs none | main() "
          "returns at once | vs none |\n|---|---|---|---|---|")  # fmt: skip
    medians = {name: statistics.median(values) for name, values in served.items()}
    for kind, label in labels.items():
        cells = []
        for shape in ("bell", "trivial"):
            median, base = medians[f"{kind}-{shape}"], medians[f"plain-{shape}"]
            cells.append(f"{median:.2f} | {median - base:+.2f} s")
        print(f"| {label} | {' | '.join(cells)} |")
    print("\nruns s: " + "; ".join(
        f"{name} {', '.join(f'{t:.2f}' for t in values)}" for name, values in served.items()
    ))  # fmt: skip


if __name__ == "__main__":
    main()
