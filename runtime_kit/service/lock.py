"""One service per data directory: an exclusive ``flock`` on ``<data-dir>/service.lock``,
held as long as the service runs, and naming the service that holds it."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from pathlib import Path

from runtime_kit.errors import ConfigurationError

LOCK_FILE = "service.lock"


class DataDirInUseError(ConfigurationError):
    """Another service runs on the same data directory."""


class DataDirLock:
    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / LOCK_FILE
        self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = self._holder()
            os.close(self._fd)
            raise DataDirInUseError(
                f"data directory {data_dir} is in use by another runtime-kit service ({holder})"
            ) from None
        self.describe(pid=os.getpid())

    def describe(self, **holder: object) -> None:
        """Write who holds the lock (pid, url) for a second service to name it."""
        os.ftruncate(self._fd, 0)
        os.pwrite(self._fd, json.dumps(holder).encode(), 0)

    def release(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)  # closing the descriptor releases the flock
            self._fd = -1

    def _holder(self) -> str:
        with contextlib.suppress(OSError, ValueError):
            holder = json.loads(os.pread(self._fd, 4096, 0) or b"{}")
            parts = [f"pid {holder['pid']}"] if "pid" in holder else []
            if "url" in holder:
                parts.append(str(holder["url"]))
            if parts:
                return ", ".join(parts)
        return "pid unknown"
