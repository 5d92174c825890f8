"""The legacy applications (qiskit-nature 0.4, qiskit-optimization 0.4) on the legacy stack
(qiskit-ibmq-provider 0.20.2, qiskit-terra 0.23) in ``.venv-legacy-apps``, built once on first
use (about two minutes; cached, see ``side_venv.py``).

Their runtime clients, ``VQEProgram``/``VQEClient`` (qiskit-nature) and
``QAOAProgram``/``QAOAClient`` (qiskit-optimization), call the built-in ``vqe`` and ``qaoa``
programs; tests/interop/test_legacy_applications.py drives them against ``runtime-kit serve``:

    .venv/bin/python -m tests.interop.legacy_apps_env     # builds it, prints its python
"""

from __future__ import annotations

import sys
from pathlib import Path

from tests.interop.legacy_env import REQUIREMENTS as LEGACY_REQUIREMENTS
from tests.interop.side_venv import ROOT, side_python

LEGACY_APPS_VENV = ROOT / ".venv-legacy-apps"
REQUIREMENTS = [
    *LEGACY_REQUIREMENTS,
    "qiskit-nature==0.4.5",
    "qiskit-optimization==0.4.0",
    # qiskit-nature 0.4 imports scikit-learn and h5py; the last releases built for numpy 1
    "scikit-learn<1.6",
    "h5py<3.12",
]


def legacy_apps_python() -> Path:
    """Path of the legacy applications venv's python, building the venv first if needed."""
    return side_python(LEGACY_APPS_VENV.name, REQUIREMENTS)


if __name__ == "__main__":
    print(legacy_apps_python())
    sys.exit(0)
