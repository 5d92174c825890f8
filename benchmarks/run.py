"""``runtime-kit run`` against a bare ``python -c`` calling ``main()``, side by side.

    .venv/bin/python benchmarks/run.py [--repeat N]

Both run examples/hello with its example inputs on the same seeded Aer backend, each as a
fresh process (what a user waits for).  The bare run imports the program and calls main()
with a messenger that drops messages; runtime-kit adds the child process, the codec round
trip of inputs, messages and result, validate, and the schema checks.  Runs alternate;
each row is the median of N.  Target (issue 4): runtime-kit at most 1.3x the bare run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HELLO = ROOT / "examples" / "hello"
BARE = f"""
import json, sys
sys.path.insert(0, {str(HELLO)!r})
from program import main
from runtime_kit.program.backend import ProgramBackend, default_simulator
from runtime_kit.program.messenger import UserMessenger

class Drop(UserMessenger):
    def emit(self, text, *, final):
        pass

inputs = json.load(open({str(HELLO / "inputs" / "example.json")!r}))
main(ProgramBackend(default_simulator(seed=1)), Drop(), **inputs)
"""


def timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, timeout=300, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{command[:3]} failed:\n{done.stderr.decode()}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    # Bytecode as installed packages have it; this machine sets PYTHONDONTWRITEBYTECODE.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    runtime_kit = str(Path(sys.executable).with_name("runtime-kit"))
    commands = {
        "bare": [sys.executable, "-c", BARE],
        "runtime-kit": [runtime_kit, "run", str(HELLO), "--seed", "1", "--json"],
    }
    for command in commands.values():
        timed(command, env)  # warm the file cache and write bytecode
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.repeat):
        for name, command in commands.items():
            samples[name].append(timed(command, env))
    bare, ours = (statistics.median(samples[name]) for name in commands)
    ratio = ours / bare
    print(f"examples/hello, median of {args.repeat} fresh processes each")
    print("| case | bare python -c ms | runtime-kit run ms | ratio | target |")
    print("|---|---:|---:|---:|---|")
    verdict = "ok" if ratio <= 1.3 else "MISSED"
    print(f"| hello | {bare * 1000:.0f} | {ours * 1000:.0f} | {ratio:.2f} | <=1.3 {verdict} |")
    return 0 if ratio <= 1.3 else 1


if __name__ == "__main__":
    sys.exit(main())
