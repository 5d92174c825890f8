"""Schema versions: a data directory made by 5efcb87 (before versions) upgrades; a newer
schema than this runtime-kit knows is refused."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from runtime_kit.service.service import Service
from runtime_kit.service.store import SCHEMA_VERSION, SchemaTooNewError, Store
from tests.conftest import run_command

FIXTURE = Path(__file__).with_name("fixtures") / "data-5efcb87"


@pytest.fixture
def old_data(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    target.mkdir()
    shutil.copy(FIXTURE / "runtime-kit.sqlite3", target)
    shutil.copytree(FIXTURE / "blobs", target / "blobs")
    return target


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
