"""Crash reports: what an unexpected exception leaves for a bug report (versions, the
command line, the traceback), in the user's state directory."""

from __future__ import annotations

import os
import platform
import sys
import time
import traceback
from pathlib import Path

#: Packages whose versions a report lists, when installed.
REPORTED_PACKAGES = ("runtime-kit", "qiskit", "qiskit-aer", "numpy", "httpx", "fastapi")


def crash_dir() -> Path:
    """``crash`` in the user state directory (platformdirs: ``$XDG_STATE_HOME/runtime-kit``)."""
    from platformdirs import user_state_dir

    return Path(user_state_dir("runtime-kit", appauthor=False)) / "crash"


def write_crash_report(error: BaseException, argv: list[str]) -> Path:
    """Write the report of ``error`` raised by the command ``argv``; returns its path."""
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    path = crash_dir() / f"crash-{stamp}-{os.getpid()}.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(report_text(error, argv))
    return path


def report_text(error: BaseException, argv: list[str]) -> str:
    lines = [
        "runtime-kit crash report",
        f"time: {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}",
        f"command line: {' '.join(argv)}",
        f"python: {sys.version.split()[0]} ({sys.executable})",
        f"platform: {platform.platform()}",
        *(f"{name}: {version}" for name, version in _versions()),
        "",
        "".join(traceback.format_exception(error)),
    ]
    return "\n".join(lines)


def _versions() -> list[tuple[str, str]]:
    from importlib.metadata import PackageNotFoundError, version

    found = []
    for name in REPORTED_PACKAGES:
        try:
            found.append((name, version(name)))
        except PackageNotFoundError:
            found.append((name, "not installed"))
    return found
