"""Who is signed in to the web view: sessions, one-time sign-in links, CSRF tokens.

A session is a random id in an HttpOnly, SameSite=Strict cookie; the service keeps (in
memory: a restart signs everyone out) the sha256 of that id, the API token it stands for
and the CSRF token its forms carry.  Each request reads the token again, so revoking it
ends its sessions at once.  A sign-in link holds a one-time code worth one session, for
five minutes (``runtime-kit service open``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass

from runtime_kit.service.core.auth import Principal
from runtime_kit.service.core.store import Store

SESSION_COOKIE = "rk_session"
#: The double-submit cookie of the sign-in form (there is no session yet to hold a token).
SIGN_IN_COOKIE = "rk_sign_in"
SESSION_LIFETIME_S = 12 * 3600
LINK_LIFETIME_S = 300


@dataclass(frozen=True)
class Session:
    token_id: str
    csrf: str
    expires: float


class Sessions:
    """Sessions and sign-in codes of one service, thread-safe."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._sessions: dict[str, Session] = {}
        self._codes: dict[str, tuple[str, float]] = {}

    def open(self, principal: Principal) -> str:
        """A new session of ``principal``: the cookie value."""
        session_id = secrets.token_urlsafe(32)
        session = Session(principal.id, secrets.token_urlsafe(32), time.time() + SESSION_LIFETIME_S)
        with self._lock:
            self._drop_expired()
            self._sessions[_digest(session_id)] = session
        return session_id

    def find(self, session_id: str | None) -> tuple[Session, Principal] | None:
        """The live session of a cookie value and its principal, or None."""
        if not session_id:
            return None
        with self._lock:
            session = self._sessions.get(_digest(session_id))
        if session is None or session.expires < time.time():
            return None
        principal = self.principal(session.token_id)
        return None if principal is None else (session, principal)

    def close(self, session_id: str | None) -> None:
        if session_id:
            with self._lock:
                self._sessions.pop(_digest(session_id), None)

    def principal(self, token_id: str) -> Principal | None:
        """The principal of a token that is not revoked."""
        row = self.store.query_one(
            "SELECT id, name, role FROM tokens WHERE id = ? AND revoked = 0", token_id
        )
        return None if row is None else Principal(row["id"], row["name"], row["role"])

    def new_code(self, principal: Principal) -> str:
        """A one-time sign-in code for ``principal``, good for ``LINK_LIFETIME_S``."""
        code = secrets.token_urlsafe(32)
        with self._lock:
            self._drop_expired()
            self._codes[_digest(code)] = (principal.id, time.time() + LINK_LIFETIME_S)
        return code

    def redeem(self, code: str) -> Principal | None:
        """The principal a code signs in (once), or None if it is unknown, used or expired."""
        with self._lock:
            entry = self._codes.pop(_digest(code), None)
        if entry is None or entry[1] < time.time():
            return None
        return self.principal(entry[0])

    def _drop_expired(self) -> None:
        moment = time.time()
        for key in [k for k, s in self._sessions.items() if s.expires < moment]:
            del self._sessions[key]
        for key in [k for k, (_, expires) in self._codes.items() if expires < moment]:
            del self._codes[key]


def same_secret(given: str | None, expected: str | None) -> bool:
    """Constant-time comparison of a submitted CSRF token with the expected one."""
    return bool(given and expected) and hmac.compare_digest(str(given), str(expected))


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
