"""The service's durable state: SQLite (WAL, ``synchronous=FULL``) and content-addressed blobs.

Every method that changes state commits before it returns, so what the API acknowledges has
reached the disk: after ``kill -9`` and a restart it is all there.  One connection, guarded
by a lock: SQLite serialises writers anyway, and the service's writes are small.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
import string
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from runtime_kit.errors import ConfigurationError
from runtime_kit.files import write_atomically

#: The schema as runtime-kit 0.1 made it, before schema versions (``user_version`` 0).
SCHEMA_0_1 = """
CREATE TABLE IF NOT EXISTS tokens (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, hash TEXT NOT NULL UNIQUE,
    created TEXT NOT NULL, revoked INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS programs (
    id TEXT PRIMARY KEY, owner TEXT NOT NULL, name TEXT NOT NULL, description TEXT NOT NULL,
    cost INTEGER NOT NULL, is_public INTEGER NOT NULL, spec TEXT NOT NULL,
    data_digest TEXT NOT NULL, data_kind TEXT NOT NULL,
    creation_date TEXT NOT NULL, update_date TEXT NOT NULL, seq INTEGER NOT NULL,
    version TEXT NOT NULL DEFAULT '0',
    UNIQUE (owner, name)
);
CREATE TABLE IF NOT EXISTS program_versions (
    program_id TEXT NOT NULL, version TEXT NOT NULL, data_digest TEXT NOT NULL,
    data_kind TEXT NOT NULL, spec TEXT NOT NULL, cost INTEGER NOT NULL, created TEXT NOT NULL,
    seq INTEGER NOT NULL, PRIMARY KEY (program_id, version)
);
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY, owner TEXT NOT NULL, program_id TEXT NOT NULL,
    hub TEXT, grp TEXT, project TEXT, backend TEXT NOT NULL, params TEXT NOT NULL,
    runtime TEXT, log_level TEXT, cost INTEGER,
    status TEXT NOT NULL, reason TEXT, created TEXT NOT NULL, updated TEXT NOT NULL,
    seq INTEGER NOT NULL, result TEXT, logs TEXT NOT NULL DEFAULT '',
    worker TEXT, version TEXT
);
CREATE INDEX IF NOT EXISTS jobs_by_owner ON jobs (owner, seq);
CREATE TABLE IF NOT EXISTS interim (
    job_id TEXT NOT NULL, n INTEGER NOT NULL, text TEXT NOT NULL, PRIMARY KEY (job_id, n)
);
"""

#: Schema changes in order: migration N (1-based) takes ``user_version`` N-1 to N.  All that
#: are pending run at start in one transaction.  Append only: never edit a released one.
MIGRATIONS: tuple[str, ...] = (
    SCHEMA_0_1,
    # 2: the seed each job ran with (``jobs replay``).
    "ALTER TABLE jobs ADD COLUMN seed INTEGER;",
)
SCHEMA_VERSION = len(MIGRATIONS)


class SchemaTooNewError(ConfigurationError):
    """The data directory was written by a newer runtime-kit than this one."""


QUEUED, RUNNING, COMPLETED, FAILED, CANCELLED = (
    "QUEUED",
    "RUNNING",
    "COMPLETED",
    "FAILED",
    "CANCELLED",
)
RAN_TOO_LONG = "CANCELLED - RAN TOO LONG"
FINAL_STATUSES = (COMPLETED, FAILED, CANCELLED, RAN_TOO_LONG)


#: What each version of a program has of its own (the program row holds the latest's).
VERSIONED_FIELDS = ("data_digest", "data_kind", "spec", "cost")
_ID_ALPHABET = string.ascii_letters + string.digits


def random_id(length: int) -> str:
    """Letters and digits, ``length`` of them: the unique part of program and job ids."""
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(length))


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Store:
    """Tokens, programs, jobs and their numbered interim results, under ``data_dir``.

    Writes go through one connection, serialised by a lock; reads borrow a connection of
    their own from a pool, so a read never waits for a write's ``fsync`` (WAL).
    """

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.blobs = data_dir / "blobs"
        self.blobs.mkdir(parents=True, exist_ok=True)
        self.path = data_dir / "runtime-kit.sqlite3"
        self._lock = threading.RLock()
        self._db = self._connect()
        self._idle_readers: list[sqlite3.Connection] = []
        self._pool_lock = threading.Lock()
        self.schema_version = self._migrate()

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.execute("PRAGMA foreign_keys=ON")
        db.execute("PRAGMA busy_timeout=30000")
        return db

    def _migrate(self) -> int:
        with self.transaction() as db:
            current = db.execute("PRAGMA user_version").fetchone()[0]
            if current > SCHEMA_VERSION:
                raise SchemaTooNewError(
                    f"{self.path}: schema version {current} is newer than this runtime-kit "
                    f"knows ({SCHEMA_VERSION}); run the runtime-kit that wrote it, or a newer one"
                )
            for number in range(current, SCHEMA_VERSION):
                for statement in _statements(MIGRATIONS[number]):
                    db.execute(statement)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        return SCHEMA_VERSION

    def close(self) -> None:
        with self._lock:
            self._db.close()
        with self._pool_lock:
            for reader in self._idle_readers:
                reader.close()
            self._idle_readers.clear()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def query(self, sql: str, *args: Any) -> list[sqlite3.Row]:
        with self._pool_lock:  # not the write lock: that one is held across fsync
            reader = self._idle_readers.pop() if self._idle_readers else None
        reader = reader or self._connect()
        try:
            return reader.execute(sql, args).fetchall()
        finally:
            with self._pool_lock:
                self._idle_readers.append(reader)

    def query_one(self, sql: str, *args: Any) -> sqlite3.Row | None:
        rows = self.query(sql, *args)
        return rows[0] if rows else None

    # --- blobs -------------------------------------------------------------------------

    def put_blob(self, data: bytes) -> str:
        """Store ``data`` (once per content) durably; returns its sha256 digest."""
        digest = hashlib.sha256(data).hexdigest()
        path = self.blob_path(digest)
        if path.exists():
            return digest
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, data)
        return digest

    def blob_path(self, digest: str) -> Path:
        return self.blobs / digest[:2] / digest

    def get_blob(self, digest: str) -> bytes:
        return self.blob_path(digest).read_bytes()

    # --- jobs ----------------------------------------------------------------------------

    def program_at(self, program: Any, version: str | None) -> dict[str, Any] | None:
        """``program`` (a row) with the data, spec and cost of ``version`` (None: the latest),
        or None when it has no such version."""
        if version is None:
            return dict(program)
        chosen = self.query_one(
            "SELECT * FROM program_versions WHERE program_id = ? AND version = ?",
            program["id"],
            version,
        )
        if chosen is None:
            return None
        return {**dict(program), **{k: chosen[k] for k in VERSIONED_FIELDS}, "version": version}

    def append_interim(self, job_id: str, text: str) -> int:
        """Store the next interim result of ``job_id``; returns its number (from 1)."""
        with self.transaction() as db:
            row = db.execute(
                "SELECT COALESCE(MAX(n), 0) FROM interim WHERE job_id = ?", (job_id,)
            ).fetchone()
            number = row[0] + 1
            db.execute(
                "INSERT INTO interim (job_id, n, text) VALUES (?, ?, ?)", (job_id, number, text)
            )
        return number

    def interim_since(self, job_id: str, since: int) -> list[tuple[int, str]]:
        rows = self.query(
            "SELECT n, text FROM interim WHERE job_id = ? AND n > ? ORDER BY n", job_id, since
        )
        return [(row["n"], row["text"]) for row in rows]

    def set_job_state(self, job_id: str, status: str, **fields: Any) -> bool:
        """Move a job to ``status`` unless it is already final; returns whether it moved."""
        assignments = ", ".join(f"{key} = ?" for key in fields)
        extra = f", {assignments}" if assignments else ""
        placeholders = ", ".join("?" for _ in FINAL_STATUSES)
        with self.transaction() as db:
            cursor = db.execute(
                f"UPDATE jobs SET status = ?, updated = ?{extra} "
                f"WHERE id = ? AND status NOT IN ({placeholders})",
                (status, now(), *fields.values(), job_id, *FINAL_STATUSES),
            )
        return cursor.rowcount == 1


def spec_json(spec: Any) -> str:
    return json.dumps(spec if isinstance(spec, dict) else {})


def _statements(script: str) -> list[str]:
    """The statements of a migration script (one per ``;``, none containing a ``;``)."""
    return [part.strip() for part in script.split(";") if part.strip()]
