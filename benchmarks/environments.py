"""Program environments: the first build, and the per-job cost of a built one.

    .venv/bin/python benchmarks/environments.py [--repeat N] [--skip-cold]

1. The first build of qiskit-terra 0.23 + qiskit-aer 0.12 (+ numpy<2, scipy<1.12) on this
   machine's Python 3.11, with uv's download cache cold (a fresh one: everything downloaded
   from PyPI) and warm (the downloads of the cold build kept, the environment removed).
2. The per-job cost of an environment already built: ``runtime-kit run`` of a trivial
   program (one Bell circuit, 100 shots) in that environment, against the same program
   without requirements (runtime-kit's own environment), fresh processes, runs alternating,
   the median of N each.  Goal (issue 24): within 0.1 s.
"""

from __future__ import annotations

import argparse
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


def drop_environments(root: Path) -> None:
    for part in ("envs", "resolved", "locks", "building"):
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
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip-cold", action="store_true", help="no cold build (no download)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="rk-env-bench-") as scratch:
        root = Path(scratch) / "environments"
        rows = []
        if not args.skip_cold:
            rows.append(("first build, uv cache cold", build_seconds(root)))
            drop_environments(root)
        else:
            build_seconds(root)
            drop_environments(root)
        rows.append(("first build, uv cache warm", build_seconds(root)))
        print("| build | s |\n|---|---|")
        for name, seconds in rows:
            print(f"| {name} | {seconds:.1f} |")
        plain, own = Path(scratch) / "plain", Path(scratch) / "own"
        for directory in (plain, own):
            directory.mkdir()
            (directory / "program.py").write_text(PROGRAM)
            (directory / "metadata.json").write_text(METADATA)
        (own / "requirements.txt").write_text("\n".join(REQUIREMENTS) + "\n")
        run_seconds(own, root)  # resolution remembered, bytecode warm
        times: dict[str, list[float]] = {"plain": [], "own": []}
        for _ in range(args.repeat):
            times["plain"].append(run_seconds(plain, root))
            times["own"].append(run_seconds(own, root))
        base, env = statistics.median(times["plain"]), statistics.median(times["own"])
        print("\n| job | runtime-kit run s (median) | vs no requirements |\n|---|---|---|")
        print(f"| no requirements (runtime-kit's environment) | {base:.2f} | 1.00 |")
        print(f"| built environment (terra 0.23 + Aer 0.12) | {env:.2f} | {env / base:.2f} "
              f"(+{env - base:.2f} s) |")  # fmt: skip


if __name__ == "__main__":
    main()
