"""The service's durable state: SQLite (WAL, ``synchronous=FULL``) and content-addressed blobs.

Every method that changes state commits before it returns, so what the API acknowledges has
reached the disk: after ``kill -9`` and a restart it is all there.  One connection, guarded
by a lock: SQLite serialises writers anyway, and the service's writes are small.
"""

from __future__ import annotations

import json
import secrets
import shutil
import sqlite3
import string
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from runtime_kit.errors import ConfigurationError
from runtime_kit.service.core.blobs import INCOMING, StagedBlob, StagedData
from runtime_kit.service.core.usage import add_usage

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


def _one_home_per_version(db: sqlite3.Connection) -> None:
    """3: a program's data, spec and cost live in its versions only (``program_versions``);
    ``program_rows`` shows each program with its latest version's.  Data directories made
    before versions existed get the missing columns and a version "0" of each program."""
    columns = _columns(db, "programs")
    if "version" not in columns:
        db.execute("ALTER TABLE programs ADD COLUMN version TEXT NOT NULL DEFAULT '0'")
    for column in ("worker", "version"):
        if column not in _columns(db, "jobs"):
            db.execute(f"ALTER TABLE jobs ADD COLUMN {column} TEXT")
    if "data_digest" in columns:
        db.execute(
            "INSERT INTO program_versions (program_id, version, data_digest, data_kind, spec, "
            "cost, created, seq) SELECT p.id, p.version, p.data_digest, p.data_kind, p.spec, "
            "p.cost, p.update_date, p.seq FROM programs p WHERE NOT EXISTS (SELECT 1 FROM "
            "program_versions v WHERE v.program_id = p.id AND v.version = p.version)"
        )
        for column in ("data_digest", "data_kind", "spec", "cost"):
            db.execute(f"ALTER TABLE programs DROP COLUMN {column}")
    db.execute(
        "CREATE VIEW program_rows AS SELECT p.*, v.data_digest, v.data_kind, v.spec, v.cost "
        "FROM programs p JOIN program_versions v ON v.program_id = p.id AND v.version = p.version"
    )
    db.execute("CREATE INDEX IF NOT EXISTS jobs_by_status ON jobs (status, seq)")


def _instances(db: sqlite3.Connection) -> None:
    """Hub/group/project instances and their grants to tokens (``service/instances.py``).
    ``ibm-q/open/main`` is open to every token, as it was the one instance of every token
    before; the jobs that recorded none ran under it."""
    db.execute(
        "CREATE TABLE instances (hub TEXT NOT NULL, grp TEXT NOT NULL, project TEXT NOT NULL, "
        "open_to_all INTEGER NOT NULL DEFAULT 0, created TEXT NOT NULL, "
        "PRIMARY KEY (hub, grp, project))"
    )
    db.execute(
        "CREATE TABLE token_instances (token_id TEXT NOT NULL, hub TEXT NOT NULL, "
        "grp TEXT NOT NULL, project TEXT NOT NULL, PRIMARY KEY (token_id, hub, grp, project))"
    )
    db.execute(
        "INSERT INTO instances (hub, grp, project, open_to_all, created) "
        "VALUES ('ibm-q', 'open', 'main', 1, ?)",
        (now(),),
    )
    db.execute(
        "UPDATE jobs SET hub = 'ibm-q', grp = 'open', project = 'main' "
        "WHERE hub IS NULL AND grp IS NULL AND project IS NULL"
    )
    db.execute("CREATE INDEX jobs_by_instance ON jobs (hub, grp, project, seq)")


#: 6: circuit jobs (qiskit-ibmq-provider's ``backend.run``, ``circuit_jobs_api``): a job's kind
#: (``program``, or ``circuits``: run by the internal qobj-runner), its name and tags (JSON
#: list), the client that submitted it (the provider's ``X-Qx-Client-Application``), and the
#: Qobjs being uploaded for jobs not submitted yet.
CIRCUIT_JOBS = """
ALTER TABLE jobs ADD COLUMN kind TEXT NOT NULL DEFAULT 'program';
ALTER TABLE jobs ADD COLUMN name TEXT;
ALTER TABLE jobs ADD COLUMN tags TEXT;
ALTER TABLE jobs ADD COLUMN client TEXT;
CREATE TABLE circuit_uploads (
    job_id TEXT PRIMARY KEY, owner TEXT NOT NULL, hub TEXT NOT NULL, grp TEXT NOT NULL,
    project TEXT NOT NULL, backend TEXT NOT NULL, name TEXT, tags TEXT NOT NULL,
    client TEXT, created TEXT NOT NULL, qobj TEXT
);
CREATE INDEX jobs_by_kind ON jobs (owner, kind, seq);
"""


def _external_jobs(db: sqlite3.Connection) -> None:
    """8: the jobs a job made elsewhere (IBM Quantum jobs), deleted with their job."""
    db.execute(
        "CREATE TABLE IF NOT EXISTS external_jobs (job_id TEXT NOT NULL, provider TEXT NOT "
        "NULL, external_id TEXT NOT NULL, backend TEXT NOT NULL, created TEXT NOT NULL, "
        "PRIMARY KEY (job_id, external_id))"
    )
    db.execute(
        "CREATE TRIGGER IF NOT EXISTS external_jobs_go_with_their_job AFTER DELETE ON jobs "
        "BEGIN DELETE FROM external_jobs WHERE job_id = OLD.id; END"
    )


def _columns(db: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in db.execute(f"PRAGMA table_info({table})")}


#: Schema changes in order: migration N (1-based) takes ``user_version`` N-1 to N.  All that
#: are pending run at start in one transaction.  Append only: never edit a released one.
MIGRATIONS: tuple[str | Callable[[sqlite3.Connection], None], ...] = (
    SCHEMA_0_1,
    # 2: the seed each job ran with (``jobs replay``).
    "ALTER TABLE jobs ADD COLUMN seed INTEGER;",
    _one_home_per_version,
    # 4: listing all jobs newest first (admins) without a sort.
    "CREATE INDEX IF NOT EXISTS jobs_by_seq ON jobs (seq);",
    _instances,
    CIRCUIT_JOBS,
    # 7: the sub-status a running Qiskit Function set (``update_status``).
    "ALTER TABLE jobs ADD COLUMN sub_status TEXT;",
    # 8: what each owner stores, kept by triggers (quotas); jobs counted by owner and status.
    add_usage,
    # 9: the IBM Quantum jobs a job ran (the hardware broker).
    _external_jobs,
)
SCHEMA_VERSION = len(MIGRATIONS)


class SchemaTooNewError(ConfigurationError):
    """The data directory was written by a newer runtime-kit than this one."""


#: What runs a job: a program (the runtime API's jobs), or a Qobj's circuits.
PROGRAM_JOB, CIRCUITS_JOB = "program", "circuits"

QUEUED, RUNNING, COMPLETED, FAILED, CANCELLED = (
    "QUEUED",
    "RUNNING",
    "COMPLETED",
    "FAILED",
    "CANCELLED",
)
RAN_TOO_LONG = "CANCELLED - RAN TOO LONG"
FINAL_STATUSES = (COMPLETED, FAILED, CANCELLED, RAN_TOO_LONG)


#: What each version of a program has of its own.
VERSIONED_FIELDS = ("data_digest", "data_kind", "spec", "cost")
_ID_ALPHABET = string.ascii_letters + string.digits


def random_id(length: int) -> str:
    """Letters and digits, ``length`` of them: the unique part of program and job ids."""
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(length))


def now(at: datetime | None = None) -> str:
    """``at`` (default: now) as the store writes times: UTC, microseconds, sortable."""
    return (at or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Store:
    """Tokens, programs, jobs and their numbered interim results, under ``data_dir``.

    Writes go through one connection, serialised by a lock; reads borrow a connection of
    their own from a pool, so a read never waits for a write's ``fsync`` (WAL).
    """

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.blobs = data_dir / "blobs"
        self.blobs.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(self.blobs / INCOMING, ignore_errors=True)  # uploads a stop cut short
        self.path = data_dir / "runtime-kit.sqlite3"
        self._lock = threading.RLock()
        self._db = self._connect()
        self._idle_readers: list[sqlite3.Connection] = []
        self._pool_lock = threading.Lock()
        self._blob_lock = threading.Lock()
        #: called with the seconds each COMMIT took (the service's metrics)
        self.on_commit: Callable[[float], None] = lambda seconds: None
        self._pending_blobs: dict[str, int] = {}
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
                migration = MIGRATIONS[number]
                if callable(migration):
                    migration(db)
                    continue
                for statement in _statements(migration):
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
            started = time.perf_counter()
            self._db.execute("COMMIT")
            self.on_commit(time.perf_counter() - started)

    def query(self, sql: str, *args: Any) -> list[sqlite3.Row]:
        with self._pool_lock:  # not the write lock: that one is held across fsync
            reader = self._idle_readers.pop() if self._idle_readers else None
        reader = reader or self._connect()
        try:
            return reader.execute(sql, args).fetchall()
        finally:
            with self._pool_lock:
                self._idle_readers.append(reader)

    def count(self, sql: str, *args: Any) -> int:
        """The number a ``SELECT COUNT(*) ...`` query answers."""
        row = self.query_one(sql, *args)
        return 0 if row is None else int(row[0])

    def query_one(self, sql: str, *args: Any) -> sqlite3.Row | None:
        rows = self.query(sql, *args)
        return rows[0] if rows else None

    # --- blobs -------------------------------------------------------------------------

    @contextmanager
    def new_blob(self, data: bytes) -> Iterator[str]:
        """Store ``data`` (once per content) durably and yield its sha256 digest; until the
        block ends (the caller has committed the row that refers to it), the blob is safe
        from ``remove_unused_blobs``."""
        with self.staged_blob() as staged:
            staged.write(data)
            yield staged.keep()

    @contextmanager
    def staged_blob(self) -> Iterator[StagedBlob]:
        """A blob written piece by piece (``StagedBlob.write``), hashed as it comes, then
        ``keep()``: stored under its digest and safe from ``remove_unused_blobs`` until the
        block ends.  A blob not kept is removed when the block ends."""
        staged = StagedBlob(self.blobs / INCOMING, self._hold)
        try:
            yield staged
        finally:
            staged.release()

    @contextmanager
    def _hold(self, digest: str) -> Iterator[None]:
        with self._blob_lock:
            self._pending_blobs[digest] = self._pending_blobs.get(digest, 0) + 1
        try:
            yield
        finally:
            with self._blob_lock:
                self._pending_blobs[digest] -= 1
                if not self._pending_blobs[digest]:
                    del self._pending_blobs[digest]

    def remove_unused_blobs(self) -> int:
        """Delete the blobs no program version refers to (a deleted program's, replaced
        data); how many.  A job reads its program's data when it starts."""
        with self._blob_lock:
            used = {
                row[0] for row in self.query("SELECT DISTINCT data_digest FROM program_versions")
            }
            used.update(self._pending_blobs)
            removed = 0
            for path in self.blobs.glob("??/*"):
                if path.name not in used and not path.name.startswith("."):
                    path.unlink(missing_ok=True)
                    removed += 1
        return removed

    def blob_path(self, digest: str) -> Path:
        return self.blobs / digest[:2] / digest

    def get_blob(self, digest: str) -> bytes:
        return self.blob_path(digest).read_bytes()

    # --- jobs ----------------------------------------------------------------------------

    def program(self, program_id: str, version: str | None = None) -> dict[str, Any] | None:
        """The program with the data, spec and cost of ``version`` (None: its latest), or
        None when there is no such program or version."""
        row = self.query_one("SELECT * FROM program_rows WHERE id = ?", program_id)
        if row is None or version is None:
            return None if row is None else dict(row)
        chosen = self.query_one(
            "SELECT * FROM program_versions WHERE program_id = ? AND version = ?",
            program_id,
            version,
        )
        if chosen is None:
            return None
        return {**dict(row), **{k: chosen[k] for k in VERSIONED_FIELDS}, "version": version}

    def add_external_job(self, job_id: str, provider: str, external_id: str, backend: str) -> None:
        """Record a job that job ``job_id`` made at ``provider`` (an IBM Quantum job)."""
        with self.transaction() as db:
            db.execute(
                "INSERT OR IGNORE INTO external_jobs (job_id, provider, external_id, backend, "
                "created) VALUES (?, ?, ?, ?, ?)",
                (job_id, provider, external_id, backend, now()),
            )

    def external_jobs(self, job_id: str) -> list[dict[str, str]]:
        """The jobs ``job_id`` made elsewhere, oldest first."""
        rows = self.query(
            "SELECT provider, external_id, backend, created FROM external_jobs "
            "WHERE job_id = ? ORDER BY created, external_id",
            job_id,
        )
        return [
            {"provider": row["provider"], "id": row["external_id"], "backend": row["backend"],
             "created": row["created"]}
            for row in rows
        ]  # fmt: skip

    def append_interim(self, job_id: str, text: str) -> int:
        """Store the next interim result of ``job_id``; returns its number (from 1)."""
        with self.transaction() as db:
            row = db.execute(
                "SELECT COALESCE(MAX(n), 0) FROM interim WHERE job_id = ?", (job_id,)
            ).fetchone()
            number = int(row[0]) + 1
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


def add_version(
    db: Any, program_id: str, version: str, data: StagedData, spec: str, cost: int
) -> None:
    seq = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM program_versions").fetchone()[0]
    db.execute(
        "INSERT INTO program_versions (program_id, version, data_digest, data_kind, data_bytes, "
        "spec, cost, created, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (program_id, version, data.digest, data.kind, data.size, spec, cost, now(), seq),
    )


def _statements(script: str) -> list[str]:
    """The statements of a migration script (one per ``;``, none containing a ``;``)."""
    return [part.strip() for part in script.split(";") if part.strip()]
