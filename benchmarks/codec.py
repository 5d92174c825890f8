"""Wire-codec speed against the legacy encoder, measured side by side in one run.

    .venv/bin/python benchmarks/codec.py [--repeat N] [--size N]

Each side runs in its own interpreter (runtime-kit here, qiskit-ibmq-provider 0.20.2 in
.venv-legacy) on the same 1e6-element float64 array, and reports its best of N.  Targets
(issue 2): encode <= 0.10x the legacy time, decode <= 1.0x.  Skips with a message when
.venv-legacy is absent (``make test`` builds it).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LEGACY_PYTHON = ROOT / ".venv-legacy" / "bin" / "python"

TIMER = r"""
import json, sys, time, warnings
warnings.simplefilter("ignore")
import numpy as np
side, size, repeat, payload_out, foreign_in = sys.argv[1:6]
if side == "legacy":
    from qiskit.providers.ibmq.runtime.utils import RuntimeEncoder, RuntimeDecoder
else:
    from runtime_kit import RuntimeEncoder, RuntimeDecoder
array = np.random.default_rng(0).random(int(size))
def best(fn):
    times = []
    for _ in range(int(repeat)):
        start = time.perf_counter(); out = fn(); times.append(time.perf_counter() - start)
    return min(times), out
encode_s, text = best(lambda: json.dumps(array, cls=RuntimeEncoder))
decode_s, back = best(lambda: json.loads(text, cls=RuntimeDecoder))
assert np.array_equal(back, array)
open(payload_out, "w").write(text)
foreign = open(foreign_in).read() if foreign_in != "-" else None
foreign_s = best(lambda: json.loads(foreign, cls=RuntimeDecoder))[0] if foreign else None
print(json.dumps({"encode_s": encode_s, "decode_s": decode_s, "bytes": len(text),
                  "decode_foreign_s": foreign_s}))
"""


def measure(
    python: Path | str, side: str, size: int, repeat: int, out: Path, foreign: Path | None
) -> dict[str, float]:
    completed = subprocess.run(
        [
            str(python),
            "-c",
            TIMER,
            side,
            str(size),
            str(repeat),
            str(out),
            str(foreign) if foreign else "-",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--size", type=int, default=1_000_000)
    args = parser.parse_args()
    if not LEGACY_PYTHON.exists():
        print(
            f"skipped: no legacy venv at {LEGACY_PYTHON.parent.parent} "
            "(run `make test` or python -m tests.interop.legacy_env to build it)"
        )
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        legacy_out, ours_out = Path(tmp, "legacy.json"), Path(tmp, "ours.json")
        legacy = measure(LEGACY_PYTHON, "legacy", args.size, args.repeat, legacy_out, None)
        ours = measure(sys.executable, "ours", args.size, args.repeat, ours_out, legacy_out)
        # The legacy decoder reading our payload proves it stays legacy-readable.
        legacy_reads_ours = measure(
            LEGACY_PYTHON, "legacy", args.size, 1, Path(tmp, "unused.json"), ours_out
        )["decode_foreign_s"]
    rows = [
        ("encode 1e6 float64", legacy["encode_s"], ours["encode_s"], 0.10),
        ("decode own payload", legacy["decode_s"], ours["decode_s"], 1.0),
        ("decode legacy payload", legacy["decode_s"], ours["decode_foreign_s"], 1.0),
    ]
    print(
        f"array: {args.size} float64, best of {args.repeat}; "
        f"payload {legacy['bytes']:,} B legacy, {ours['bytes']:,} B runtime-kit"
    )
    print(f"legacy decoder reads the runtime-kit payload in {legacy_reads_ours * 1000:.1f} ms")
    print(f"| {'case':<22} | {'legacy ms':>9} | {'runtime-kit ms':>14} | {'ratio':>6} | target  |")
    print(f"|{'-' * 24}|{'-' * 11}|{'-' * 16}|{'-' * 8}|---------|")
    failed = False
    for case, base, new, target in rows:
        ratio = new / base
        failed |= ratio > target
        mark = "ok" if ratio <= target else "MISSED"
        print(
            f"| {case:<22} | {base * 1000:9.1f} | {new * 1000:14.1f} | {ratio:6.3f} | "
            f"<={target:<4} {mark}"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
