"""Unprivileged uids for the jobs of a service run as root: one per job process.

A job never runs as root, nor as the service's user.  Each job process gets a uid of its own
from a range no account uses (default ``DEFAULT_FIRST_UID`` onward), so jobs cannot signal or
read each other even outside their namespaces, and ``RLIMIT_NPROC`` (counted per uid) caps
each job separately where cgroups are not available.  A uid is claimed with an exclusive
``flock`` on a file in ``CLAIMS_DIR``, so services sharing a machine never share a uid; a
uid claimed for the first time is cleared of any process a killed service left running.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import threading
from pathlib import Path

DEFAULT_FIRST_UID = 2_000_000_000
DEFAULT_UID_COUNT = 1_000
CLAIMS_DIR = Path("/run/runtime-kit/uids")


class NoFreeUid(RuntimeError):
    pass


class UidPool:
    def __init__(
        self,
        first: int = DEFAULT_FIRST_UID,
        count: int = DEFAULT_UID_COUNT,
        claims: Path = CLAIMS_DIR,
    ) -> None:
        self.first = first
        self.count = count
        self.claims = claims
        claims.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._held: dict[int, int] = {}  # uid -> the fd holding its claim
        self._cleared: set[int] = set()
        self._lock = threading.Lock()

    def describe(self) -> str:
        return f"uids {self.first}-{self.first + self.count - 1}"

    def acquire(self) -> int:
        """A uid no other job process (of any service here) holds; released by ``release``."""
        with self._lock:
            for uid in range(self.first, self.first + self.count):
                if uid in self._held:
                    continue
                fd = os.open(self.claims / str(uid), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    os.close(fd)
                    continue
                self._held[uid] = fd
                break
            else:
                raise NoFreeUid(f"all {self.count} job uids from {self.first} are in use")
        if uid not in self._cleared:
            kill_processes_of(uid)  # what a service killed while holding it left behind
            self._cleared.add(uid)
        return uid

    def release(self, uid: int) -> None:
        with self._lock:
            fd = self._held.pop(uid, None)
        if fd is not None:
            os.close(fd)

    def close(self) -> None:
        for uid in list(self._held):
            self.release(uid)


def kill_processes_of(uid: int) -> int:
    """SIGKILL every process whose real uid is ``uid`` (Linux ``/proc``); how many."""
    killed = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            for line in status.read_text().splitlines():
                if line.startswith("Uid:"):
                    if int(line.split()[1]) == uid:
                        os.kill(int(status.parent.name), signal.SIGKILL)
                        killed += 1
                    break
    return killed
