"""Every service offers the built-in programs: public, owned by the service, ids equal to
their names, versioned with runtime-kit, changed only by admins, left out on request."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import runtime_kit
from runtime_kit.service.core.builtins import BUILTIN_OWNER, builtin_projects
from runtime_kit.service.core.internal_programs import INTERNAL_OWNER
from runtime_kit.service.service import Service
from tests.conftest import BUILTIN_PROGRAMS as BUILTINS
from tests.service.conftest import Api


@pytest.fixture
def start(tmp_path: Path) -> Iterator[Callable[..., tuple[Service, TestClient]]]:
    """``start(**options)``: a Service on the test's data directory (again: a restart)."""
    running: list[tuple[Service, TestClient]] = []

    def make(**options: object) -> tuple[Service, TestClient]:
        if running:
            service, client = running.pop()
            client.__exit__(None, None, None)
            service.stop()
        service = Service(tmp_path / "data", workers=1, admin_token="adm", **options)  # type: ignore[arg-type]
        client = TestClient(service.app()).__enter__()
        running.append((service, client))
        return service, client

    yield make
    for service, client in running:
        client.__exit__(None, None, None)
        service.stop()


def test_the_builtins_are_the_folders_of_builtin_programs() -> None:
    assert [project.name for project in builtin_projects()] == BUILTINS


def test_every_service_offers_them_public_and_owned_by_the_service(start) -> None:
    service, client = start()
    assert sorted(service.builtin_programs) == BUILTINS
    _, token = service.tokens.create("bob", "user")
    listed = Api(client, token).get("/programs").json()["programs"]
    assert sorted(p["id"] for p in listed) == BUILTINS
    for program in listed:
        assert program["id"] == program["name"] and program["is_public"]
        assert program["version"] == runtime_kit.__version__
    rows = service.store.query("SELECT DISTINCT owner FROM programs ORDER BY owner")
    # and the internal programs (never listed, shown or run by id: test_circuit_jobs.py)
    assert [row["owner"] for row in rows] == [BUILTIN_OWNER, INTERNAL_OWNER]
    shown = Api(client, token).get("/programs/circuit-runner").json()
    assert "data" not in shown  # the source is for admins (the owner is the service)
    assert "def main(" in Api(client, "adm").get("/programs/circuit-runner").json()["data"]


def test_only_admins_change_them(start) -> None:
    service, client = start()
    _, token = service.tokens.create("alice", "uploader")
    alice, admin = Api(client, token), Api(client, "adm")
    patch = {"description": "changed"}
    assert alice.request("PATCH", "/programs/hello-world", patch).status_code == 403
    assert alice.request("DELETE", "/programs/hello-world").status_code == 403
    assert alice.request("PUT", "/programs/hello-world/private").status_code == 403
    assert admin.request("PATCH", "/programs/hello-world", patch).status_code == 204
    assert admin.get("/programs/hello-world").json()["description"] == "changed"


def test_a_restart_keeps_them_and_a_new_runtime_kit_adds_its_version(
    start, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, client = start()
    Api(client, "adm").request("PATCH", "/programs/hello-world", {"description": "mine"})
    _, client = start()
    admin = Api(client, "adm")
    assert admin.get("/programs").json()["count"] == len(BUILTINS)
    program = admin.get("/programs/hello-world").json()
    assert program["description"] == "mine"  # an admin's change stays
    assert program["versions"] == [runtime_kit.__version__]

    installed = runtime_kit.__version__
    monkeypatch.setattr(runtime_kit, "__version__", "99.0.0")
    _, client = start()
    admin = Api(client, "adm")
    program = admin.get("/programs/hello-world").json()
    assert (program["version"], program["versions"]) == ("99.0.0", [installed, "99.0.0"])
    assert program["description"].startswith("A sample runtime program")
    old = admin.get("/programs/hello-world", params={"version": installed}).json()
    assert old["version"] == installed


def test_no_builtin_programs_leaves_them_out(start) -> None:
    start()
    service, client = start(builtin_programs=False)
    assert service.builtin_programs == []
    assert Api(client, "adm").get("/programs").json()["count"] == 0
    # their data went too; the internal programs' stays
    internal = {
        row["data_digest"] for row in service.store.query("SELECT data_digest FROM program_rows")
    }
    assert {path.name for path in (service.data_dir / "blobs").glob("??/*")} == internal
    service, client = start()
    assert Api(client, "adm").get("/programs").json()["count"] == len(BUILTINS)
