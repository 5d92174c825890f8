"""The legacy stack of ``legacy_env`` (qiskit-ibmq-provider 0.20.2 on qiskit-terra 0.23) on
Python 3.10, in ``.venv-legacy-py310``, built once on first use (cached, see
``side_venv.py``): IBM's own provider test suites need Python <= 3.10 (their test case reads
``unittest``'s ``_outcome.errors``, gone in 3.11), and so does our replica of its runtime
integration suite, to run where that suite ran.  Python 3.10 is found as ``PYTHON310``, else
pyenv's newest 3.10 under the user's real home, else ``python3.10`` on the PATH.

    .venv/bin/python -m tests.interop.legacy310_env      # builds it, prints its python
"""

from __future__ import annotations

import os
import pwd
import shutil
import sys
from pathlib import Path

from tests.interop.legacy_env import REQUIREMENTS
from tests.interop.side_venv import ROOT, side_python

LEGACY310_VENV = ROOT / ".venv-legacy-py310"


def python310() -> Path | None:
    """A Python 3.10 interpreter, or None if this machine has none."""
    given = os.environ.get("PYTHON310")
    if given:
        return Path(given)
    real_home = Path(pwd.getpwuid(os.getuid()).pw_dir)  # tests point HOME elsewhere
    pyenv = sorted((real_home / ".pyenv" / "versions").glob("3.10.*/bin/python"))
    if pyenv:
        return pyenv[-1]
    found = shutil.which("python3.10")
    return Path(found) if found else None


def legacy310_python() -> Path:
    """Path of the Python 3.10 legacy venv's python, building the venv first if needed.

    Raises:
        FileNotFoundError: there is no Python 3.10 here.
    """
    base = python310()
    if base is None:
        raise FileNotFoundError("no Python 3.10 (set PYTHON310, or install it with pyenv)")
    return side_python(LEGACY310_VENV.name, REQUIREMENTS, base_python=base)


if __name__ == "__main__":
    print(legacy310_python())
    sys.exit(0)
