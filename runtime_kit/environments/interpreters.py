"""The Python interpreters on this host that an environment can be built on.

Found without downloading anything (uv is never allowed to fetch a Python): runtime-kit's
own interpreter, ``python3.N`` on ``PATH`` (pyenv's shims left out: they fail for versions
that are not selected), and pyenv's installed versions (``$PYENV_ROOT/versions``, default
``~/.pyenv/versions``).  The job-side runner needs Python 3.8 or later.
"""

from __future__ import annotations

import functools
import os
import platform
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

from runtime_kit.errors import ProgramEnvironmentError

#: The oldest Python the job-side runner (runtime_kit.jobside) runs on.
MIN_PYTHON = (3, 8)
_MINORS = range(MIN_PYTHON[1], 20)
_VERSION = re.compile(r"([0-9]+)\.([0-9]+)\.([0-9]+)", re.ASCII)


class Interpreter(NamedTuple):
    path: Path
    version: str  # X.Y.Z

    @property
    def minor(self) -> str:
        return ".".join(self.version.split(".")[:2])


def find_interpreter(specifier: str | None) -> Interpreter:
    """The interpreter an environment declaring ``specifier`` (requires-python) is built on:
    runtime-kit's own when it fits (or nothing is named), else the newest that fits.

    Raises:
        ProgramEnvironmentError: no interpreter here fits, or it names a Python older than
            the runner supports (one line, saying which were found).
    """
    from packaging.specifiers import SpecifierSet

    own = Interpreter(Path(sys.executable), platform.python_version())
    if specifier is None:
        return own
    allowed = SpecifierSet(specifier)
    found = sorted(interpreters(), key=lambda i: _key(i.version), reverse=True)
    fitting = [i for i in found if allowed.contains(i.version, prereleases=True)]
    if own.version in {i.version for i in fitting}:
        return own
    usable = [i for i in fitting if _key(i.version)[:2] >= MIN_PYTHON]
    if usable:
        return usable[0]
    listed = ", ".join(sorted({i.minor for i in found}, key=_key)) or "none"
    if fitting:
        raise ProgramEnvironmentError(
            f"the program names Python {specifier}, older than program environments support "
            f"(Python {'.'.join(map(str, MIN_PYTHON))} or later)"
        )
    raise ProgramEnvironmentError(
        f"no Python {specifier} on this host (found: {listed}); install one (pyenv install, "
        "or the system's package) or declare another version"
    )


@functools.cache
def interpreters() -> tuple[Interpreter, ...]:
    """Every interpreter found here, each once (by its real path)."""
    found: dict[Path, Interpreter] = {}
    own = Interpreter(Path(sys.executable), platform.python_version())
    found[Path(sys.executable).resolve()] = own
    for candidate in _pyenv_versions():
        found.setdefault(candidate.path.resolve(), candidate)
    for minor in _MINORS:
        command = shutil.which(f"python3.{minor}")
        if command is None or "/shims/" in command:
            continue
        real = Path(command).resolve()
        if real not in found:
            version = _ask_version(real)
            if version is not None:
                found[real] = Interpreter(Path(command), version)
    return tuple(found.values())


def _pyenv_versions() -> list[Interpreter]:
    root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
    try:
        names = sorted(os.listdir(root))
    except OSError:
        return []
    found = []
    for name in names:
        python = root / name / "bin" / "python3"
        if _VERSION.fullmatch(name) and os.access(python, os.X_OK):
            found.append(Interpreter(python, name))
    return found


def _ask_version(python: Path) -> str | None:
    try:
        done = subprocess.run(
            [str(python), "-I", "-c", "import platform; print(platform.python_version())"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    version = done.stdout.strip()
    return version if done.returncode == 0 and _VERSION.fullmatch(version) else None


def _key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".") if part.isdigit())
