"""The service's own secret: the admin token from its environment, read once, then gone.

``RUNTIME_KIT_ADMIN_TOKEN`` is removed from ``os.environ`` (so no process the service starts
inherits it) and wiped from the process's initial environment block, which
``/proc/PID/environ`` keeps showing after ``unsetenv`` (Linux).  An admin token the operator
gives (that variable, or the data directory's ``admin-token`` file) must be long and varied
enough (``check_admin_token``): anyone who guesses it owns the service.
"""

from __future__ import annotations

import contextlib
import ctypes
import math
import os
import string

from runtime_kit.errors import ServiceStartError

ADMIN_TOKEN_VARIABLE = "RUNTIME_KIT_ADMIN_TOKEN"
MIN_ADMIN_TOKEN_CHARS = 20
MIN_ADMIN_TOKEN_BITS = 64
_CLASSES = (string.ascii_lowercase, string.ascii_uppercase, string.digits)
_OTHERS = 33  # printable ASCII that is neither a letter nor a digit, space included


def token_bits(token: str) -> float:
    """A generous estimate of a token's entropy: its length times the bits of one character
    drawn from the classes it uses (lower, upper, digits, others), counting no more symbols
    than it has distinct characters ("aaaa..." is 1 bit a character), scaled by the share of
    its pairs of neighbours that are distinct (a repeated pattern has few)."""
    pool = sum(len(chars) for chars in _CLASSES if any(c in chars for c in token))
    if any(not c.isascii() or not c.isalnum() for c in token):
        pool += _OTHERS
    symbols = max(2, min(pool, len(set(token))))
    pairs = [token[at : at + 2] for at in range(len(token) - 1)]
    varied = len(set(pairs)) / len(pairs) if pairs else 0.0
    return len(token) * math.log2(symbols) * varied


def check_admin_token(token: str, where: str) -> str:
    """``token`` if it is strong enough to guard the service.

    Raises:
        ServiceStartError: shorter than ``MIN_ADMIN_TOKEN_CHARS`` or under
            ``MIN_ADMIN_TOKEN_BITS`` of estimated entropy (naming ``where`` it came from).
    """
    bits = token_bits(token)
    if len(token) < MIN_ADMIN_TOKEN_CHARS or bits < MIN_ADMIN_TOKEN_BITS:
        raise ServiceStartError(
            f"the admin token from {where} is too weak ({len(token)} characters, about "
            f"{bits:.0f} bits; at least {MIN_ADMIN_TOKEN_CHARS} characters and "
            f"{MIN_ADMIN_TOKEN_BITS} bits): make one with "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"
        )
    return token


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
