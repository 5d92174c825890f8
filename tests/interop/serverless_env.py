"""The released qiskit-serverless client (0.37, which pins qiskit-ibm-runtime 0.50) in
``.venv-serverless``, built once on first use (see ``side_venv.py``).

Used by the gateway interop tests (``tests/functions/test_serverless_client.py``):

    .venv/bin/python -m tests.interop.serverless_env     # builds it, prints its python
"""

from __future__ import annotations

import sys
from pathlib import Path

from tests.interop.side_venv import ROOT, side_python

SERVERLESS_VENV = ROOT / ".venv-serverless"
REQUIREMENTS = ["qiskit-serverless==0.37.0", "qiskit==2.6.*"]


def serverless_python() -> Path:
    """Path of the qiskit-serverless venv's python, building the venv first if needed."""
    return side_python(SERVERLESS_VENV.name, REQUIREMENTS)


if __name__ == "__main__":
    print(serverless_python())
    sys.exit(0)
