"""Schema versions: a data directory made by 5efcb87 (before versions) upgrades; a newer
schema than this runtime-kit knows is refused."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from runtime_kit.service.core.store import SCHEMA_VERSION, SchemaTooNewError, Store
from runtime_kit.service.service import Service
from tests.conftest import run_command

FIXTURE = Path(__file__).with_name("fixtures") / "data-5efcb87"


@pytest.fixture
def old_data(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    target.mkdir()
    shutil.copy(FIXTURE / "runtime-kit.sqlite3", target)
    shutil.copytree(FIXTURE / "blobs", target / "blobs")
    return target


@pytest.mark.service
def test_a_data_directory_of_0_1_upgrades_and_keeps_everything(old_data: Path) -> None:
    ids = json.loads((FIXTURE / "ids.json").read_text())
    alice = {"X-Access-Token": (FIXTURE / "alice-token").read_text().strip()}
    service = Service(old_data, workers=1, admin_token="fixture-admin-token", sandbox="prefer")
    service.start()
    try:
        assert service.store.schema_version == SCHEMA_VERSION
        with TestClient(service.app()) as client:
            program = client.get(f"/programs/{ids['program']}", headers=alice).json()
            assert (program["version"], program["versions"]) == ("1.1", ["1.0", "1.1"])
            job = client.get(f"/jobs/{ids['job']}", headers=alice).json()
            assert job["status"] == "COMPLETED" and job["seed"] is None
            assert client.get(f"/jobs/{ids['job']}/results", headers=alice).status_code == 200
            assert client.get("/health").json()["schema_version"] == SCHEMA_VERSION
    finally:
        service.stop()
    with sqlite3.connect(old_data / "runtime-kit.sqlite3") as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_a_newer_schema_is_refused(old_data: Path, tmp_path: Path) -> None:
    with sqlite3.connect(old_data / "runtime-kit.sqlite3") as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(SchemaTooNewError, match="is newer than this runtime-kit knows"):
        Store(old_data)
    result = run_command("serve", "--data-dir", old_data, "--port", "0", "--sandbox", "none")
    assert result.returncode == 3
    assert f"schema version {SCHEMA_VERSION + 1} is newer" in result.stderr


#: The schema of the first service (e2f2c3b): no versions at all.
FIRST_SCHEMA = """
CREATE TABLE tokens (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, hash TEXT NOT NULL UNIQUE,
    created TEXT NOT NULL, revoked INTEGER NOT NULL DEFAULT 0);
CREATE TABLE programs (
    id TEXT PRIMARY KEY, owner TEXT NOT NULL, name TEXT NOT NULL, description TEXT NOT NULL,
    cost INTEGER NOT NULL, is_public INTEGER NOT NULL, spec TEXT NOT NULL,
    data_digest TEXT NOT NULL, data_kind TEXT NOT NULL,
    creation_date TEXT NOT NULL, update_date TEXT NOT NULL, seq INTEGER NOT NULL,
    UNIQUE (owner, name));
CREATE TABLE jobs (
    id TEXT PRIMARY KEY, owner TEXT NOT NULL, program_id TEXT NOT NULL,
    hub TEXT, grp TEXT, project TEXT, backend TEXT NOT NULL, params TEXT NOT NULL,
    runtime TEXT, log_level TEXT, cost INTEGER,
    status TEXT NOT NULL, reason TEXT, created TEXT NOT NULL, updated TEXT NOT NULL,
    seq INTEGER NOT NULL, result TEXT, logs TEXT NOT NULL DEFAULT '');
CREATE TABLE interim (
    job_id TEXT NOT NULL, n INTEGER NOT NULL, text TEXT NOT NULL, PRIMARY KEY (job_id, n));
INSERT INTO programs VALUES ('p-1', 'tok_a', 'old', 'first', 60, 1, '{}', 'abc', 'source',
    '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 1);
INSERT INTO jobs (id, owner, program_id, backend, params, status, created, updated, seq)
    VALUES ('job-1', 'tok_a', 'p-1', 'aer_simulator', '{}', 'COMPLETED', 'x', 'x', 1);
"""


def test_a_data_directory_from_before_versions_upgrades(tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / "runtime-kit.sqlite3") as db:
        db.executescript(FIRST_SCHEMA)
    store = Store(tmp_path)
    try:
        program = store.program("p-1")
        assert program is not None
        assert (program["version"], program["cost"], program["data_digest"]) == ("0", 60, "abc")
        job = store.query_one("SELECT version, worker, seed FROM jobs WHERE id = 'job-1'")
        assert tuple(job) == (None, None, None)
        columns = {row[1] for row in store.query("PRAGMA table_info(programs)")}
        assert not columns & {"cost", "spec", "data_digest", "data_kind"}
    finally:
        store.close()
