"""API tokens and roles.  Tokens are random; only their sha256 is stored."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Iterable
from typing import NamedTuple

from runtime_kit.errors import InputValueError
from runtime_kit.service.core.instances import Instance, grant
from runtime_kit.service.core.store import Store, now

USER, UPLOADER, ADMIN = "user", "uploader", "admin"
ROLES = (USER, UPLOADER, ADMIN)


class Principal(NamedTuple):
    """Who is calling: a token's id (the owner of what it creates), name and role."""

    id: str
    name: str
    role: str

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN

    @property
    def can_upload(self) -> bool:
        return self.role in (UPLOADER, ADMIN)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Tokens:
    def __init__(self, store: Store) -> None:
        self.store = store
        #: the sha256 of every admin token not revoked: requests with one are not held to
        #: the per-token quotas (read without the database, as requests arrive)
        self.admin_hashes: set[str] = {
            row["hash"]
            for row in store.query("SELECT hash FROM tokens WHERE role = ? AND revoked = 0", ADMIN)
        }
        #: called with the id of each token revoked (its streams are ended)
        self.on_revoke: list[Callable[[str], None]] = []
        self._roles: dict[str, str] = {}

    def create(
        self,
        name: str,
        role: str,
        token: str | None = None,
        *,
        instances: Iterable[Instance] = (),
    ) -> tuple[Principal, str]:
        """A new token (``token`` given: that one, e.g. the configured admin token), granted
        ``instances`` besides the open ones.

        Raises:
            InputValueError: an unknown role.
            UnknownInstanceError: one of ``instances`` does not exist (no token is made).
        """
        if role not in ROLES:
            raise InputValueError(f"role must be one of {', '.join(ROLES)}")
        token = token or "rk_" + secrets.token_urlsafe(32)
        token_id = "tok_" + secrets.token_hex(6)
        with self.store.transaction() as db:
            db.execute(
                "INSERT INTO tokens (id, name, role, hash, created) VALUES (?, ?, ?, ?, ?)",
                (token_id, name, role, hash_token(token), now()),
            )
            grant(db, token_id, instances)
        if role == ADMIN:
            self.admin_hashes.add(hash_token(token))
        return Principal(token_id, name, role), token

    def authenticate(self, token: str) -> Principal | None:
        digest = hash_token(token)
        row = self.store.query_one(
            "SELECT id, name, role, hash FROM tokens WHERE hash = ? AND revoked = 0", digest
        )
        if row is None or not hmac.compare_digest(row["hash"], digest):
            return None
        return Principal(row["id"], row["name"], row["role"])

    def role_of(self, token_id: str) -> str | None:
        """The role of the token ``token_id`` (None: no such token); roles never change."""
        role = self._roles.get(token_id)
        if role is None:
            row = self.store.query_one("SELECT role FROM tokens WHERE id = ?", token_id)
            if row is None:
                return None
            role = self._roles[token_id] = row["role"]
        return role

    def ensure(self, token: str, name: str, role: str) -> Principal:
        """The principal of ``token``, creating it with ``role`` if it is new."""
        return self.authenticate(token) or self.create(name, role, token)[0]

    def list(self) -> list[dict[str, object]]:
        """Every token (never its secret), with the instances granted to it."""
        rows = self.store.query(
            "SELECT id, name, role, created, revoked FROM tokens ORDER BY created"
        )
        grants: dict[str, list[str]] = {}
        for row in self.store.query(
            "SELECT token_id, hub, grp, project FROM token_instances ORDER BY rowid"
        ):
            instance = Instance(row["hub"], row["grp"], row["project"])
            grants.setdefault(row["token_id"], []).append(str(instance))
        return [
            {**dict(row), "revoked": bool(row["revoked"]), "instances": grants.get(row["id"], [])}
            for row in rows
        ]

    def revoke(self, token_id: str) -> bool:
        with self.store.transaction() as db:
            row = db.execute("SELECT hash FROM tokens WHERE id = ?", (token_id,)).fetchone()
            cursor = db.execute("UPDATE tokens SET revoked = 1 WHERE id = ?", (token_id,))
        if row is not None:
            self.admin_hashes.discard(row["hash"])
        for notify in self.on_revoke:
            notify(token_id)
        return cursor.rowcount == 1
