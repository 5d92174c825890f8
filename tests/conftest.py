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


def _real_home_places() -> tuple[list[Path], list[Path]]:
    """(directories whose entries are watched, directories watched all the way down): the
    real home and XDG directories, and runtime-kit's folders in them (the data folder's
    entries only: a local service of your own may be running and writing there)."""
    home = Path(os.environ.get("HOME") or Path.home())
    bases = {
        key: Path(os.environ.get(key) or home / default) for key, default in _XDG_DEFAULTS.items()
    }
    data = bases.pop("XDG_DATA_HOME")
    shallow = [home, data, data / "runtime-kit", *bases.values()]
    return shallow, [base / "runtime-kit" for base in bases.values()]


def _snapshot(places: tuple[list[Path], list[Path]]) -> set[str]:
    shallow, deep = places
    found = {str(entry) for place in shallow if place.is_dir() for entry in place.iterdir()}
    for place in deep:
        if place.is_dir():
            found |= {str(path) for path in place.rglob("*")}
    return found


ROOT = Path(__file__).resolve().parents[1]


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


def clean_findings(findings: list) -> list:
    """``findings`` less one known to be fixed elsewhere: the estimator template declares
    ``prefixItems`` under draft 2019-09 (RK205); its fix belongs to issue 14.  Drop this
    allowance when that fix has landed."""
    return [
        f
        for f in findings
        if not (f.code == "RK205" and "observable.items.prefixItems" in f.message)
    ]
