"""The legacy stack (qiskit-ibmq-provider 0.20.2) in ``.venv-legacy``, built once on first use.

Used by the interop tests and benchmarks/codec.py.  The build takes about a minute and is
cached: a stamp file records the requirement list it was built from.
"""

from __future__ import annotations

import fcntl
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LEGACY_VENV = ROOT / ".venv-legacy"
REQUIREMENTS = [
    "qiskit-ibmq-provider==0.20.2",
    "qiskit-terra==0.23.*",
    "qiskit-aer==0.12.*",
    "numpy<2",
    "scipy<1.12",
    # 0.20's websocket client needs 1.5.x: newer releases report a normal close (1000) as an
    # error, and the client reconnects.
    "websocket-client==1.5.*",
]
BUILD_TIMEOUT_S = 900


def legacy_python() -> Path:
    """Path of the legacy venv's python, building the venv first if needed."""
    python = LEGACY_VENV / "bin" / "python"
    stamp = LEGACY_VENV / ".requirements"
    wanted = "\n".join(REQUIREMENTS) + "\n"
    LEGACY_VENV.parent.mkdir(parents=True, exist_ok=True)
    with open(ROOT / ".venv-legacy.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if python.exists() and stamp.exists() and stamp.read_text() == wanted:
            return python
        venv.EnvBuilder(clear=True, with_pip=True).create(LEGACY_VENV)
        subprocess.run(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                *REQUIREMENTS,
            ],
            check=True,
            timeout=BUILD_TIMEOUT_S,
        )
        stamp.write_text(wanted)
    return python


if __name__ == "__main__":
    print(legacy_python())
    sys.exit(0)
