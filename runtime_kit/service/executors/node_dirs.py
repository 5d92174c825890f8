"""The directories job runners keep on a Ray node: claimed while a runner lives, swept after.

A runner works in ``<root>/<key>`` and holds an exclusive ``flock`` on ``<root>/<key>.lock``
for as long as its process lives.  A runner killed with its node's process table intact
(``ray.kill``, its service gone) cannot remove its directory; the next runner to start on
the node removes every directory whose lock nobody holds.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
import time
from pathlib import Path

CLAIM_TIMEOUT_S = 30.0
#: Where runners keep their files on a node (per runner: ``<key>``, stable across restarts
#: of the same service, so a new runner of the same slot also clears the cgroups a killed one
#: left).
NODE_DIR = Path(tempfile.gettempdir()) / "runtime-kit-ray"


class NodeDirectory:
    """``claim()`` the directory of ``key`` under ``root`` (waiting for a runner of the same
    key that is still ending); ``release()`` removes it."""

    def __init__(self, root: Path, key: str) -> None:
        self.path = root / key
        self._lock = root / f"{key}.lock"
        self._fd = -1

    def claim(self) -> Path:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + CLAIM_TIMEOUT_S
        while (fd := _try_lock(self._lock)) is None:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self._lock} is still held by another job runner")
            time.sleep(0.1)
        self._fd = fd
        self.path.mkdir(exist_ok=True)
        return self.path

    def release(self) -> None:
        _remove(self.path)
        self._lock.unlink()
        os.close(self._fd)

    def sweep(self) -> list[Path]:
        """Remove the directories of runners that have ended without doing so."""
        swept = []
        for lock in self.path.parent.glob("*.lock"):
            if lock == self._lock or (fd := _try_lock(lock)) is None:
                continue
            stale = lock.with_suffix("")
            _remove(stale)
            lock.unlink()
            os.close(fd)
            swept.append(stale)
        return swept


def _try_lock(path: Path) -> int | None:
    """An fd holding ``path`` locked, or None while someone else holds it.  A lock file that
    was removed (and so is not ``path`` any more) once we held it does not count."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        current = os.stat(path).st_ino
    except (BlockingIOError, FileNotFoundError):
        os.close(fd)
        return None
    if current != os.fstat(fd).st_ino:
        os.close(fd)
        return None
    return fd


def _remove(directory: Path) -> None:
    if directory.exists():
        shutil.rmtree(directory)
