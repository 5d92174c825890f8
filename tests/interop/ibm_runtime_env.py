"""Today's hosted-service client (qiskit-ibm-runtime 0.51) in ``.venv-ibm-runtime``, built
once on first use (about a minute; cached, see ``side_venv.py``).

Used by the V2 primitives interop tests and benchmarks/primitives.py:

    .venv/bin/python -m tests.interop.ibm_runtime_env     # builds it, prints its python
"""

from __future__ import annotations

import sys
from pathlib import Path

from tests.interop.side_venv import ROOT, side_python

IBM_RUNTIME_VENV = ROOT / ".venv-ibm-runtime"
REQUIREMENTS = ["qiskit-ibm-runtime==0.51.0", "qiskit==2.6.*"]


def ibm_runtime_python() -> Path:
    """Path of the qiskit-ibm-runtime venv's python, building the venv first if needed."""
    return side_python(IBM_RUNTIME_VENV.name, REQUIREMENTS)


if __name__ == "__main__":
    print(ibm_runtime_python())
    sys.exit(0)
