"""qiskit-ibm-runtime 0.9.4, the client of the years when IBM's service still ran custom
programs (0.9-0.15), in ``.venv-ibm-runtime-0.9``, built once on first use (about a minute;
cached, see ``side_venv.py``).  Used by ``test_ibm_runtime_accounts.py``:

    .venv/bin/python -m tests.interop.runtime09_env     # builds it, prints its python
"""

from __future__ import annotations

import sys
from pathlib import Path

from tests.interop.side_venv import ROOT, side_python

RUNTIME09_VENV = ROOT / ".venv-ibm-runtime-0.9"
REQUIREMENTS = [
    "qiskit-ibm-runtime==0.9.4",
    "qiskit-terra==0.24.*",  # 0.9.4's vendored QPY needs it (see README.md)
    "numpy<1.24",  # as 0.9.4 asks
    "scipy<1.12",
    # newer releases report a normal close (1000) as an error, and the client reconnects
    "websocket-client==1.5.*",
]


def runtime09_python() -> Path:
    """Path of the qiskit-ibm-runtime 0.9 venv's python, building the venv first if needed."""
    return side_python(RUNTIME09_VENV.name, REQUIREMENTS)


if __name__ == "__main__":
    print(runtime09_python())
    sys.exit(0)
