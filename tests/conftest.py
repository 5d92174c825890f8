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
    """Point HOME and the XDG directories at a read-only folder: a test that writes user
    state without a temporary directory of its own fails instead of touching yours."""
    fake_home = tmp_path_factory.mktemp("home")
    saved = {key: os.environ.get(key) for key in _HOME_VARIABLES}
    for key in _HOME_VARIABLES:
        os.environ[key] = str(fake_home / key.lower()) if key != "HOME" else str(fake_home)
    fake_home.chmod(0o500)
    try:
        yield
    finally:
        fake_home.chmod(0o700)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


_HOME_VARIABLES = ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME")

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
