"""The service's own secret: the admin token from its environment, read once, then gone.

``RUNTIME_KIT_ADMIN_TOKEN`` is removed from ``os.environ`` (so no process the service starts
inherits it) and wiped from the process's initial environment block, which
``/proc/PID/environ`` keeps showing after ``unsetenv`` (Linux).
"""

from __future__ import annotations

import contextlib
import ctypes
import os

ADMIN_TOKEN_VARIABLE = "RUNTIME_KIT_ADMIN_TOKEN"


def take_admin_token() -> str | None:
    """The admin token from the environment (None if unset or empty), removed from it."""
    value = os.environ.pop(ADMIN_TOKEN_VARIABLE, None) or None
    wipe_initial_environment(ADMIN_TOKEN_VARIABLE)
    return value


def wipe_initial_environment(name: str) -> bool:
    """Overwrite ``NAME=value`` in this process's initial environment block with NULs;
    True if it was there.  Nothing else reads that block once the process has started."""
    try:
        with open("/proc/self/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[1].split()
        # Fields 50 and 51 of stat (env_start, env_end), counted after "pid (comm)".
        start, end = int(fields[50 - 3]), int(fields[51 - 3])
    except (OSError, IndexError, ValueError):
        return False
    if not 0 < start < end:
        return False
    block = ctypes.string_at(start, end - start)
    needle = name.encode() + b"="
    found = False
    offset = 0
    for entry in block.split(b"\0"):
        if entry.startswith(needle):
            with contextlib.suppress(OSError):
                ctypes.memset(start + offset, 0, len(entry))
                found = True
        offset += len(entry) + 1
    return found
