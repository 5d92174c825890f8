"""Instances (hub/group/project), as IBM Quantum had them: the operator creates them and grants
tokens one or more; a job runs under one of its token's instances and records it.

An *open* instance is granted to every token.  A fresh service has one, ``ibm-q/open/main``
(the open project of IBM Quantum), so that scripts selecting it run unchanged.  A token's
instances are its grants and the open ones; its default (``isDefault`` in ``/api/Network``,
the one ``IBMQ.load_account()`` returns) is the first open one, else its first grant.  Admins
have every instance.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable
from typing import NamedTuple

from runtime_kit.errors import InputValueError
from runtime_kit.service.core.store import Store, now

#: One part of an instance: a hub, a group or a project.
PART = r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}"
INSTANCE = f"{PART}/{PART}/{PART}"
#: The instance every token has on a fresh service.
OPEN_HUB, OPEN_GROUP, OPEN_PROJECT = "ibm-q", "open", "main"


class Instance(NamedTuple):
    hub: str
    group: str
    project: str

    def __str__(self) -> str:
        return f"{self.hub}/{self.group}/{self.project}"

    @classmethod
    def parse(cls, text: str) -> Instance:
        """``HUB/GROUP/PROJECT``, each part as ``PART`` says.

        Raises:
            InputValueError: ``text`` is not of that form.
        """
        if not isinstance(text, str) or not re.fullmatch(INSTANCE, text):
            raise InputValueError(
                f"an instance is HUB/GROUP/PROJECT, each part 1 to 64 letters, digits, '_', "
                f"'.' or '-' (starting with a letter or digit): {text!r:.80}"
            )
        hub, group, project = text.split("/")
        return cls(hub, group, project)


OPEN_INSTANCE = Instance(OPEN_HUB, OPEN_GROUP, OPEN_PROJECT)


class UnknownInstanceError(InputValueError):
    """An instance the service does not have."""


class Instances:
    """The service's instances and the grants of tokens to them."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def create(self, instance: Instance, *, open_to_all: bool = False) -> bool:
        """Add ``instance``; False if it existed already (left as it was)."""
        with self.store.transaction() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO instances (hub, grp, project, open_to_all, created) "
                "VALUES (?, ?, ?, ?, ?)",
                (*instance, int(open_to_all), now()),
            )
        return cursor.rowcount == 1

    def delete(self, instance: Instance) -> int | None:
        """Remove ``instance`` and every grant of it: how many tokens had it granted, or None
        if there was no such instance.  Jobs that ran under it keep it in their record."""
        with self.store.transaction() as db:
            granted = db.execute(
                "DELETE FROM token_instances WHERE hub = ? AND grp = ? AND project = ?", instance
            ).rowcount
            removed = db.execute(
                "DELETE FROM instances WHERE hub = ? AND grp = ? AND project = ?", instance
            ).rowcount
        return granted if removed else None

    def granted(self, token_id: str) -> list[Instance]:
        """The instances granted to a token (open ones aside), in the order granted."""
        rows = self.store.query(
            "SELECT hub, grp, project FROM token_instances WHERE token_id = ? ORDER BY rowid",
            token_id,
        )
        return [Instance(row["hub"], row["grp"], row["project"]) for row in rows]

    def of_token(self, token_id: str, *, admin: bool = False) -> list[Instance]:
        """A token's instances, its default first (see the module's docstring)."""
        rows = self.store.query(
            "SELECT hub, grp, project FROM instances WHERE open_to_all = 1 ORDER BY created, rowid"
        )
        opened = [Instance(row["hub"], row["grp"], row["project"]) for row in rows]
        if admin:
            everything = self.store.query(
                "SELECT hub, grp, project FROM instances ORDER BY created, rowid"
            )
            others = [Instance(row["hub"], row["grp"], row["project"]) for row in everything]
        else:
            others = self.granted(token_id)
        return list(dict.fromkeys([*opened, *others]))

    def list(self) -> list[dict[str, object]]:
        """Every instance, with whether it is open to all and how many tokens it is granted."""
        rows = self.store.query(
            "SELECT i.hub, i.grp, i.project, i.open_to_all, i.created, "
            "(SELECT COUNT(*) FROM token_instances g WHERE g.hub = i.hub AND g.grp = i.grp "
            "AND g.project = i.project) AS tokens FROM instances i ORDER BY i.created, i.hub, "
            "i.grp, i.project"
        )
        return [
            {
                "instance": str(Instance(row["hub"], row["grp"], row["project"])),
                "hub": row["hub"],
                "group": row["grp"],
                "project": row["project"],
                "open": bool(row["open_to_all"]),
                "created": row["created"],
                "tokens": row["tokens"],
            }
            for row in rows
        ]


def grant(db: sqlite3.Connection, token_id: str, instances: Iterable[Instance]) -> None:
    """Grant ``instances`` to a token, within the caller's transaction ``db``.

    Raises:
        UnknownInstanceError: one of them does not exist (nothing is granted).
    """
    wanted = list(dict.fromkeys(instances))
    for instance in wanted:
        if not db.execute(
            "SELECT 1 FROM instances WHERE hub = ? AND grp = ? AND project = ?", instance
        ).fetchone():
            raise UnknownInstanceError(
                f"no such instance: {instance} (create it first: runtime-kit instances create)"
            )
    db.executemany(
        "INSERT OR IGNORE INTO token_instances (token_id, hub, grp, project) VALUES (?, ?, ?, ?)",
        [(token_id, *instance) for instance in wanted],
    )
