"""Side venvs for interop tests and benchmarks: another stack, built once and cached.

``side_python(folder, requirements)`` returns the python of ``ROOT/folder``, building the venv
first when it is missing or was built from other requirements (a stamp file records them).
Concurrent callers wait on a lock file beside it (``ROOT/folder.lock``).  Both folders are
git-ignored and removed by ``make clean``.
"""

from __future__ import annotations

import fcntl
import subprocess
import venv
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUILD_TIMEOUT_S = 900


def side_python(folder: str, requirements: Sequence[str]) -> Path:
    """Path of the python of the venv ``ROOT/folder``, built from ``requirements`` if needed."""
    directory = ROOT / folder
    python = directory / "bin" / "python"
    stamp = directory / ".requirements"
    wanted = "\n".join(requirements) + "\n"
    with open(ROOT / f"{folder}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if python.exists() and stamp.exists() and stamp.read_text() == wanted:
            return python
        venv.EnvBuilder(clear=True, with_pip=True).create(directory)
        subprocess.run(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                *requirements,
            ],
            check=True,
            timeout=BUILD_TIMEOUT_S,
        )
        stamp.write_text(wanted)
    return python
