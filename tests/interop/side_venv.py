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

from tests import needs

ROOT = Path(__file__).resolve().parents[2]
BUILD_TIMEOUT_S = 900


def side_python(
    folder: str, requirements: Sequence[str], *, base_python: Path | None = None
) -> Path:
    """Path of the python of the venv ``ROOT/folder``, built from ``requirements`` if needed
    (on ``base_python``, another interpreter, if given; else on this one)."""
    needs.refuse(f"a side venv ({folder})", "side_venv")
    directory = ROOT / folder
    python = directory / "bin" / "python"
    stamp = directory / ".requirements"
    wanted = "\n".join(requirements) + "\n"
    if base_python is not None:
        wanted = f"# python: {base_python}\n{wanted}"
    with open(ROOT / f"{folder}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if python.exists() and stamp.exists() and stamp.read_text() == wanted:
            return python
        if base_python is None:
            venv.EnvBuilder(clear=True, with_pip=True).create(directory)
        else:
            command = [str(base_python), "-m", "venv", "--clear", str(directory)]
            subprocess.run(command, check=True, timeout=BUILD_TIMEOUT_S)
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
