"""The legacy stack (qiskit-ibmq-provider 0.20.2) in ``.venv-legacy``, built once on first use.

Used by the interop tests and benchmarks/codec.py.  The build takes about a minute and is
cached (see ``side_venv.py``).
"""

from __future__ import annotations

import sys
from pathlib import Path

from tests.interop.side_venv import ROOT, side_python

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


def legacy_python() -> Path:
    """Path of the legacy venv's python, building the venv first if needed."""
    return side_python(LEGACY_VENV.name, REQUIREMENTS)


if __name__ == "__main__":
    print(legacy_python())
    sys.exit(0)
