"""Suite-wide guards."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True, scope="session")
def _no_writes_to_the_real_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Point HOME and the XDG directories at temporary ones for the whole session, and check
    afterwards that nothing appeared in the real ones (permissions cannot guard them: tests
    run as root here)."""
    watched = _real_home_places()
    before = _snapshot(watched)
    fake_home = tmp_path_factory.mktemp("home")
    # Program environments find pyenv's Pythons in the real home (only read there).
    pyenv = Path(os.environ.get("HOME") or Path.home()) / ".pyenv"
    if "PYENV_ROOT" not in os.environ and pyenv.is_dir():
        os.environ["PYENV_ROOT"] = str(pyenv)
    saved = {key: os.environ.get(key) for key in _HOME_VARIABLES}
    for key in _HOME_VARIABLES:
        os.environ[key] = str(fake_home / key.lower()) if key != "HOME" else str(fake_home)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    appeared = sorted(_snapshot(watched) - before)
    assert not appeared, f"tests wrote to the real home: {appeared[:20]}"


_HOME_VARIABLES = ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME")
_XDG_DEFAULTS = {
    "XDG_CONFIG_HOME": ".config",
    "XDG_DATA_HOME": ".local/share",
    "XDG_STATE_HOME": ".local/state",
    "XDG_CACHE_HOME": ".cache",
}
#: What the tools the tests run would write in a home of their own (the machine may be
#: shared: other people's programs writing their own folders are not the tests' doing).
_TOOL_PATHS = (".cookiecutters", ".cookiecutter_replay", ".cookiecutterrc", ".qiskit",
               ".pre-commit", ".cache/pre-commit", ".runtime-kit")  # fmt: skip


def _real_home_places() -> tuple[list[Path], list[Path], list[Path]]:
    """Paths watched in the real home: (whose presence, whose entries, whose whole tree)
    matter.  The tools' own paths in the home; runtime-kit's folders in the XDG directories,
    the data one watched one level deep only (a local service of your own may be running)."""
    home = Path(os.environ.get("HOME") or Path.home())
    bases = {
        key: Path(os.environ.get(key) or home / default) for key, default in _XDG_DEFAULTS.items()
    }
    data = bases.pop("XDG_DATA_HOME") / "runtime-kit"
    tools = [home / path for path in _TOOL_PATHS]
    return tools, [data], [base / "runtime-kit" for base in bases.values()]


def _snapshot(places: tuple[list[Path], list[Path], list[Path]]) -> set[str]:
    present, shallow, deep = places
    found = {str(path) for path in (*present, *shallow, *deep) if path.exists()}
    for place in shallow:
        if place.is_dir():
            found |= {str(path) for path in place.iterdir()}
    for place in deep:
        if place.is_dir():
            found |= {str(path) for path in place.rglob("*")}
    return found


ROOT = Path(__file__).resolve().parents[1]
#: The built-in programs every service offers, by id (= name), in the order services list them.
BUILTIN_PROGRAMS = [
    "circuit-runner",
    "estimator",
    "hello-world",
    "qaoa",
    "quantum-kernel-alignment",
    "sample-program",
    "sampler",
    "vqe",
]


def run_command(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """``runtime-kit ARGS...`` in a real subprocess, as a user runs it (60 s deadline)."""
    return subprocess.run(
        [str(Path(sys.executable).with_name("runtime-kit")), *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
