"""``runtime-kit validate`` against ``check-jsonschema``, measured side by side in one run.

    .venv/bin/python benchmarks/validate.py [--repeat N] [--programs N]

Both run as cold processes (a new interpreter per call, as pre-commit starts them) on copies
of examples/hello: check-jsonschema checks each metadata file against our v2 schema;
runtime-kit validate does that and everything else (declared schemas, ast, imports, inputs).
Runs alternate between the tools; each row reports the median of N.  Each copy renames the
``shots`` parameter (program, metadata, inputs), so no two programs share a schema.
runtime-kit is shown with its default of one process per CPU for many programs, and with
``--jobs 1``.  Targets (issue 3): one program well under check-jsonschema (ratio < 1),
200 programs in one call at most 0.5x.
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
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SCHEMA = ROOT / "runtime_kit" / "schemas" / "metadata-v2.schema.json"
EXAMPLE = ROOT / "examples" / "hello"


def make_programs(directory: Path, count: int) -> list[Path]:
    programs = []
    for index in range(count):
        program = directory / f"program-{index:03d}"
        shutil.copytree(EXAMPLE, program)
        for file in (program / "program.py", program / "metadata.json", *program.glob("inputs/*")):
            renamed = file.read_text().replace("shots", f"shots_{index}")
            file.write_text(renamed.replace('"hello"', f'"hello-{index}"'))
        programs.append(program)
    return programs


def timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    completed = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    elapsed = time.perf_counter() - start
    if completed.returncode != 0:
        raise SystemExit(f"{command[0]} failed:\n{completed.stdout}{completed.stderr}")
    return elapsed


def median_of(repeat: int, runs: dict[str, Callable[[], float]]) -> dict[str, float]:
    """Run each callable ``repeat`` times, interleaved so machine noise hits all alike."""
    samples: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeat):
        for name, run in runs.items():
            samples[name].append(run())
    return {name: statistics.median(times) for name, times in samples.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--programs", type=int, default=200)
    args = parser.parse_args()
    check_jsonschema = shutil.which("check-jsonschema", path=str(BIN))
    if check_jsonschema is None:
        print("skipped: check-jsonschema is not installed (it is in the dev extra)")
        return 0
    runtime_kit = str(BIN / "runtime-kit")
    with tempfile.TemporaryDirectory() as tmp:
        programs = make_programs(Path(tmp, "programs"), args.programs)
        # Bytecode as installed packages have it (pip compiles them); this machine sets
        # PYTHONDONTWRITEBYTECODE, which would make every run compile runtime-kit afresh.
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        timed([runtime_kit, "validate", str(programs[0])], env)  # writes the bytecode
        rows = []
        for label, targets in (
            ("1 program", programs[:1]),
            (f"{len(programs)} programs", programs),
        ):
            paths = [str(p) for p in targets]
            metadata = [str(p / "metadata.json") for p in targets]
            medians = median_of(
                args.repeat,
                {
                    "baseline": lambda m=metadata: timed(
                        [check_jsonschema, "--schemafile", str(SCHEMA), *m], env
                    ),
                    "ours": lambda p=paths: timed([runtime_kit, "validate", *p], env),
                    "one job": lambda p=paths: timed(
                        [runtime_kit, "validate", "--jobs", "1", *p], env
                    ),
                    "python": lambda: timed([sys.executable, "-c", "pass"], env),
                },
            )
            rows.append((label, medians))
    print(f"median of {args.repeat} cold processes each; `python -c pass` shown for scale")
    print(
        "| case | check-jsonschema ms | runtime-kit ms | ratio | runtime-kit --jobs 1 ms "
        "| ratio | python -c pass ms | target |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    failed = False
    for label, m in rows:
        limit = 1.0 if label == "1 program" else 0.5
        ratio, one_job_ratio = m["ours"] / m["baseline"], m["one job"] / m["baseline"]
        failed |= ratio > limit
        print(
            f"| {label} | {m['baseline'] * 1000:.0f} | {m['ours'] * 1000:.0f} | {ratio:.2f} | "
            f"{m['one job'] * 1000:.0f} | {one_job_ratio:.2f} | {m['python'] * 1000:.0f} | "
            f"<={limit} {'ok' if ratio <= limit else 'MISSED'} |"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
