"""Program environments: the first build, and the per-job cost of a built one.

    .venv/bin/python benchmarks/environments.py [--rounds N] [--jobs N] [--skip-cold]

1. The first build of qiskit-terra 0.23 + qiskit-aer 0.12 (+ numpy<2, scipy<1.12) on this
   machine's Python 3.11, with uv's download cache cold (a fresh one: everything downloaded
   from PyPI) and warm (the downloads of the cold build kept, the environment removed), in
   ``--rounds`` rounds, cold and warm alternating; the median of each.
2. The per-job cost of an environment already built: ``runtime-kit run`` of a trivial
   program (one Bell circuit, 100 shots) in that environment, against the same program
   without requirements (runtime-kit's own environment), fresh processes, runs alternating,
   the median of ``--jobs`` each.  Goal (issue 24): within 0.1 s.  A job in an environment
   starts a fresh interpreter and imports that environment's Qiskit; a warm process per
   environment is issue 25.

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


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} cores"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3, help="cold and warm builds each")
    parser.add_argument("--jobs", type=int, default=7, help="runs of each kind of job")
    parser.add_argument("--skip-cold", action="store_true", help="no cold build (no download)")
    args = parser.parse_args()
    print(f"load before: {load()}")
    with tempfile.TemporaryDirectory(prefix="rk-env-bench-") as scratch:
        root = Path(scratch) / "environments"
        builds: dict[str, list[float]] = {"cold": [], "warm": []}
        for _ in range(args.rounds):
            drop_environments(root, downloads=True)
            cold = build_seconds(root)
            if not args.skip_cold:
                builds["cold"].append(cold)
            drop_environments(root, downloads=False)
            builds["warm"].append(build_seconds(root))
        print("\n| first build (terra 0.23 + Aer 0.12) | median s | runs s |\n|---|---|---|")
        for name, seconds in builds.items():
            if seconds:
                runs = ", ".join(f"{value:.1f}" for value in seconds)
                print(f"| uv cache {name} | {statistics.median(seconds):.1f} | {runs} |")
        plain, own = Path(scratch) / "plain", Path(scratch) / "own"
        for directory in (plain, own):
            directory.mkdir()
            (directory / "program.py").write_text(PROGRAM)
            (directory / "metadata.json").write_text(METADATA)
        (own / "requirements.txt").write_text("\n".join(REQUIREMENTS) + "\n")
        run_seconds(own, root)  # resolution remembered, bytecode warm
        run_seconds(plain, root)
        times: dict[str, list[float]] = {"plain": [], "own": []}
        for _ in range(args.jobs):
            times["plain"].append(run_seconds(plain, root))
            times["own"].append(run_seconds(own, root))
        base, env = statistics.median(times["plain"]), statistics.median(times["own"])
        print("\n| job | runtime-kit run s (median) | vs no requirements |\n|---|---|---|")
        print(f"| no requirements (runtime-kit's environment) | {base:.2f} | 1.00 |")
        print(f"| built environment (terra 0.23 + Aer 0.12) | {env:.2f} | {env / base:.2f} "
              f"(+{env - base:.2f} s) |")  # fmt: skip
        print(f"\nruns s: plain {', '.join(f'{t:.2f}' for t in times['plain'])}; "
              f"environment {', '.join(f'{t:.2f}' for t in times['own'])}")  # fmt: skip
    print(f"load after: {load()}")


if __name__ == "__main__":
    main()
