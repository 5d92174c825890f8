"""What each owner stores, kept by SQLite itself: the ``usage`` table (owner -> bytes).

Triggers add and subtract the UTF-8 bytes of everything an owner's programs and jobs store,
on every insert, update and delete, whichever code path makes it: a program's description,
each version's data (``program_versions.data_bytes``, the blob's size) and metadata
document, a job's params, result and logs, its interim results, a legacy circuit job's
Qobj waiting to be submitted.  Admission reads one row
(``bytes_of``) instead of summing large columns.

``add_usage`` is a migration: it adds the column and the table, counts what is stored
already (blob sizes from the files), and installs the triggers.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

#: The bytes a text takes in UTF-8 (a NULL counts 0), in SQL.
_BYTES = "COALESCE(length(CAST({} AS BLOB)), 0)"


def _size(column: str) -> str:
    return _BYTES.format(column)


_JOB = " + ".join(_size(f"{{row}}.{column}") for column in ("params", "result", "logs"))
_VERSION = "{row}.data_bytes + " + _size("{row}.spec")
_PROGRAM_OWNER = "(SELECT owner FROM programs WHERE id = {row}.program_id)"
_JOB_OWNER = "(SELECT owner FROM jobs WHERE id = {row}.job_id)"

#: (name, table, event, owner expression, bytes added expression); OLD/NEW substituted.
_TRIGGERS = (
    ("jobs_in", "jobs", "AFTER INSERT", "NEW.owner", _JOB.format(row="NEW")),
    ("jobs_out", "jobs", "AFTER DELETE", "OLD.owner", f"-({_JOB.format(row='OLD')})"),
    (
        "jobs_change",
        "jobs",
        "AFTER UPDATE OF params, result, logs",
        "NEW.owner",
        f"{_JOB.format(row='NEW')} - ({_JOB.format(row='OLD')})",
    ),
    ("interim_in", "interim", "AFTER INSERT", _JOB_OWNER.format(row="NEW"), _size("NEW.text")),
    (
        "interim_out",
        "interim",
        "AFTER DELETE",
        _JOB_OWNER.format(row="OLD"),
        f"-{_size('OLD.text')}",
    ),
    (
        "versions_in",
        "program_versions",
        "AFTER INSERT",
        _PROGRAM_OWNER.format(row="NEW"),
        _VERSION.format(row="NEW"),
    ),
    (
        "versions_out",
        "program_versions",
        "AFTER DELETE",
        _PROGRAM_OWNER.format(row="OLD"),
        f"-({_VERSION.format(row='OLD')})",
    ),
    (
        "versions_change",
        "program_versions",
        "AFTER UPDATE OF data_bytes, spec",
        _PROGRAM_OWNER.format(row="NEW"),
        f"{_VERSION.format(row='NEW')} - ({_VERSION.format(row='OLD')})",
    ),
    ("programs_in", "programs", "AFTER INSERT", "NEW.owner", _size("NEW.description")),
    (
        # a program deleted before its versions takes their bytes with it (after, they
        # find no owner and count nothing): either order of deletes adds up
        "programs_out",
        "programs",
        "AFTER DELETE",
        "OLD.owner",
        f"-({_size('OLD.description')} + COALESCE((SELECT SUM("
        f"{_VERSION.format(row='v')}) FROM program_versions v WHERE v.program_id = OLD.id), 0))",
    ),
    (
        "programs_change",
        "programs",
        "AFTER UPDATE OF description",
        "NEW.owner",
        f"{_size('NEW.description')} - {_size('OLD.description')}",
    ),
)


_CIRCUIT_TRIGGERS = (
    ("circuits_in", "circuit_uploads", "AFTER INSERT", "NEW.owner", _size("NEW.qobj")),
    ("circuits_out", "circuit_uploads", "AFTER DELETE", "OLD.owner", f"-{_size('OLD.qobj')}"),
    (
        "circuits_change",
        "circuit_uploads",
        "AFTER UPDATE OF qobj",
        "NEW.owner",
        f"{_size('NEW.qobj')} - {_size('OLD.qobj')}",
    ),
)


def add_usage(db: sqlite3.Connection) -> None:
    """The migration: ``program_versions.data_bytes``, the ``usage`` table filled with what
    is stored, its triggers, and an index to count an owner's jobs by status."""
    db.execute("ALTER TABLE program_versions ADD COLUMN data_bytes INTEGER NOT NULL DEFAULT 0")
    blobs = _blobs_of(db)
    for (digest,) in db.execute("SELECT DISTINCT data_digest FROM program_versions").fetchall():
        blob = blobs / digest[:2] / digest
        size = blob.stat().st_size if blob.is_file() else 0
        db.execute(
            "UPDATE program_versions SET data_bytes = ? WHERE data_digest = ?", (size, digest)
        )
    db.execute("CREATE TABLE usage (owner TEXT PRIMARY KEY, bytes INTEGER NOT NULL DEFAULT 0)")
    db.execute(
        "INSERT INTO usage (owner, bytes) SELECT owner, SUM(bytes) FROM ("
        f"SELECT owner, {_JOB.format(row='j')} AS bytes FROM jobs j "
        f"UNION ALL SELECT j.owner, {_size('i.text')} FROM interim i JOIN jobs j "
        "ON j.id = i.job_id "
        f"UNION ALL SELECT owner, {_size('description')} FROM programs "
        f"UNION ALL SELECT p.owner, {_VERSION.format(row='v')} FROM program_versions v "
        "JOIN programs p ON p.id = v.program_id"
        ") GROUP BY owner"
    )
    triggers = list(_TRIGGERS)
    if _has_table(db, "circuit_uploads"):  # a legacy circuit job's Qobj, until it is submitted
        db.execute(
            "INSERT INTO usage (owner, bytes) SELECT owner, SUM(" + _size("qobj") + ") FROM "
            "circuit_uploads GROUP BY owner ON CONFLICT (owner) DO UPDATE SET "
            "bytes = bytes + excluded.bytes"
        )
        triggers += _CIRCUIT_TRIGGERS
    for name, table, event, owner, added in triggers:
        # Not INSERT OR IGNORE: an outer statement's conflict clause (an upsert's) overrides
        # a trigger's, and the duplicate owner then failed the outer statement.
        db.execute(
            f"CREATE TRIGGER usage_{name} {event} ON {table} BEGIN "
            f"INSERT INTO usage (owner, bytes) SELECT {owner}, 0 WHERE {owner} IS NOT NULL "
            f"AND NOT EXISTS (SELECT 1 FROM usage WHERE owner = {owner}); "
            f"UPDATE usage SET bytes = bytes + ({added}) WHERE owner = {owner}; END"
        )
    db.execute("CREATE INDEX IF NOT EXISTS jobs_by_owner_status ON jobs (owner, status)")


def _has_table(db: sqlite3.Connection, name: str) -> bool:
    query = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
    return db.execute(query, (name,)).fetchone() is not None


def bytes_of(db: sqlite3.Connection, owner: str) -> int:
    """The bytes ``owner`` stores."""
    row = db.execute("SELECT bytes FROM usage WHERE owner = ?", (owner,)).fetchone()
    return 0 if row is None else int(row[0])


def _blobs_of(db: sqlite3.Connection) -> Path:
    """The store's blob directory, next to the database file."""
    for _, name, path in db.execute("PRAGMA database_list").fetchall():
        if name == "main" and path:
            return Path(path).parent / "blobs"
    return Path("/nonexistent")
