"""Instances (hub/group/project): the operator makes them and grants tokens some; the account
routes list a token's, a job runs under one of them and records it (in-process; the legacy
clients' view is in tests/interop/test_legacy_instances.py)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from runtime_kit.service.core.instances import Instance
from runtime_kit.service.service import Service
from tests.service.conftest import Api, program_body
from tests.service.test_migrations import FIXTURE

OPEN = "ibm-q/open/main"
NEAR_TIME = "ibm-q-internal/near-time/qiskit-runtime"


def refused(response: object, status: int, text: str) -> None:
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    error = response.json()["error"]  # type: ignore[attr-defined]
    assert error["status"] == status and text in error["message"], error


def token(admin: Api, name: str, *instances: str, role: str = "user") -> Api:
    body = {"name": name, "role": role, "instances": list(instances)}
    made = admin.post("/tokens", body)
    assert made.status_code == 200, made.text
    return Api(admin.client, made.json()["token"])


def upload(api: Api) -> str:
    response = api.post("/programs", program_body("hello", is_public=True))
    assert response.status_code == 200, response.text
    return str(response.json()["id"])


def test_a_fresh_service_has_the_open_instance_for_everyone(admin: Api) -> None:
    (only,) = admin.get("/instances").json()["instances"]
    assert (only["instance"], only["open"], only["tokens"]) == (OPEN, True, 0)
    alice = token(admin, "alice")
    (hub,) = alice.get("/api/Network").json()
    assert hub == {
        "name": "ibm-q",
        "isDefault": True,
        "groups": {"open": {"name": "open", "projects": {"main": {"name": "main",
                   "isDefault": True}}}},
    }  # fmt: skip


def test_a_token_lists_its_instances_the_open_one_first(admin: Api) -> None:
    for instance in ("ibm-q/deployed/main", NEAR_TIME):
        assert admin.post("/instances", {"instance": instance}).json() == {
            "instance": instance,
            "open_to_all": False,
        }
    made = admin.post(
        "/tokens", {"name": "bob", "instances": [NEAR_TIME, "ibm-q/deployed/main"]}
    ).json()
    assert made["instances"] == [OPEN, NEAR_TIME, "ibm-q/deployed/main"]
    hubs = Api(admin.client, made["token"]).get("/api/Network").json()
    flat = [
        (hub["name"], group, project, entry["isDefault"])
        for hub in hubs
        for group, projects in hub["groups"].items()
        for project, entry in projects["projects"].items()
    ]
    assert flat == [
        ("ibm-q", "open", "main", True),
        ("ibm-q", "deployed", "main", False),
        ("ibm-q-internal", "near-time", "qiskit-runtime", False),
    ]
    listed = {t["name"]: t["instances"] for t in admin.get("/tokens").json()["tokens"]}
    assert listed["bob"] == [NEAR_TIME, "ibm-q/deployed/main"]
    counts = {i["instance"]: i["tokens"] for i in admin.get("/instances").json()["instances"]}
    assert counts == {OPEN: 0, "ibm-q/deployed/main": 1, NEAR_TIME: 1}


def test_an_instance_open_to_all_is_every_tokens(admin: Api) -> None:
    alice = token(admin, "alice")
    admin.post("/instances", {"instance": "lab/all/shared", "open_to_all": True})
    hubs = alice.get("/api/Network").json()
    assert [hub["name"] for hub in hubs] == ["ibm-q", "lab"]


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"instance": "a/b"}, 400, "an instance is HUB/GROUP/PROJECT"),
        ({"instance": "a/b/c/d"}, 400, "an instance is HUB/GROUP/PROJECT"),
        ({"instance": "a/-b/c"}, 400, "an instance is HUB/GROUP/PROJECT"),
        ({"instance": "a/b/" + "c" * 65}, 400, "an instance is HUB/GROUP/PROJECT"),
        ({"instance": 3}, 400, "an instance is HUB/GROUP/PROJECT"),
        ({}, 400, "instance: an instance is HUB/GROUP/PROJECT"),
        ({"instance": "a/b/c", "open_to_all": "yes"}, 400, "open_to_all must be true or false"),
        ({"instance": OPEN}, 409, f"instance {OPEN} exists already"),
    ],
)
def test_bad_instances_are_refused(admin: Api, body: dict, status: int, message: str) -> None:
    refused(admin.post("/instances", body), status, message)
    assert len(admin.get("/instances").json()["instances"]) == 1


def test_only_admins_manage_instances(admin: Api) -> None:
    uploader = token(admin, "u", role="uploader")
    refused(uploader.post("/instances", {"instance": "a/b/c"}), 403, "only admins")
    refused(uploader.get("/instances"), 403, "only admins")
    refused(uploader.request("DELETE", f"/instances/{OPEN}"), 403, "only admins")


def test_a_token_of_an_unknown_instance_is_not_made(admin: Api) -> None:
    before = len(admin.get("/tokens").json()["tokens"])
    response = admin.post("/tokens", {"name": "carol", "instances": ["no/such/thing"]})
    refused(response, 400, "no such instance: no/such/thing")
    refused(admin.post("/tokens", {"name": "carol", "instances": ["bad"]}), 400, "instances[0]")
    refused(admin.post("/tokens", {"name": "carol", "instances": OPEN}), 400, "must be a list")
    assert len(admin.get("/tokens").json()["tokens"]) == before


def test_jobs_run_under_an_instance_of_the_token_and_record_it(admin: Api) -> None:
    admin.post("/instances", {"instance": "ibm-q/deployed/main"})
    admin.post("/instances", {"instance": "other/g/p"})
    program_id = upload(admin)
    bob = token(admin, "bob", "ibm-q/deployed/main")
    hgp = {"hub": "ibm-q", "group": "deployed", "project": "main"}
    body = {"program_id": program_id, "params": {"iterations": 1}}
    deployed = bob.post("/jobs", {**body, **hgp}).json()["id"]
    default = bob.post("/jobs", body).json()["id"]
    for job_id, (hub, group, project) in ((deployed, hgp.values()), (default, OPEN.split("/"))):
        job = bob.get(f"/jobs/{job_id}").json()
        assert (job["hub"], job["group"], job["project"]) == (hub, group, project)
    refused(
        bob.post("/jobs", {**body, "hub": "other", "group": "g", "project": "p"}),
        403,
        "this token may not run under other/g/p (its instances: ibm-q/open/main, "
        "ibm-q/deployed/main)",
    )
    listed = bob.get("/jobs", params={"provider": "ibm-q/deployed/main"}).json()
    assert [job["id"] for job in listed["jobs"]] == [deployed] and listed["count"] == 1
    assert bob.get("/jobs", params={"provider": OPEN}).json()["count"] == 1
    assert bob.get("/jobs", params={"provider": "other/g/p"}).json()["count"] == 0
    refused(bob.get("/jobs", params={"provider": "ibm-q/open"}), 400, "provider")
    assert bob.get("/jobs").json()["count"] == 2


def test_the_project_routes_answer_the_tokens_instances_only(admin: Api) -> None:
    admin.post("/instances", {"instance": "ibm-q/deployed/main"})
    admin.post("/instances", {"instance": "other/g/p"})
    bob = token(admin, "bob", "ibm-q/deployed/main")
    for hgp in ("ibm-q/deployed/main", OPEN):
        hub, group, project = hgp.split("/")
        path = f"/api/Network/{hub}/Groups/{group}/Projects/{project}/devices/v/1"
        assert bob.get(path).status_code == 200, hgp
        assert bob.get("/backends", params={"provider": hgp}).status_code == 200, hgp
    refused(bob.get("/api/Network/other/Groups/g/Projects/p/devices/v/1"), 404, "other/g/p")
    refused(bob.get("/backends", params={"provider": "other/g/p"}), 404, "other/g/p")
    assert admin.get("/api/Network/other/Groups/g/Projects/p/devices/v/1").status_code == 200


def test_deleting_an_instance_drops_its_grants_and_jobs_keep_it(admin: Api) -> None:
    admin.post("/instances", {"instance": "lab/a/b"})
    program_id = upload(admin)
    bob = token(admin, "bob", "lab/a/b")
    body = {"program_id": program_id, "params": {"iterations": 1}}
    job_id = bob.post("/jobs", {**body, "hub": "lab", "group": "a", "project": "b"}).json()["id"]
    assert admin.request("DELETE", "/instances/lab/a/b").status_code == 204
    refused(admin.request("DELETE", "/instances/lab/a/b"), 404, "no such instance: lab/a/b")
    assert [hub["name"] for hub in bob.get("/api/Network").json()] == ["ibm-q"]
    job = bob.get(f"/jobs/{job_id}").json()
    assert (job["hub"], job["group"], job["project"]) == ("lab", "a", "b")
    refused(bob.post("/jobs", {**body, "hub": "lab", "group": "a", "project": "b"}), 403, "lab/a/b")


def test_without_any_instance_a_token_cannot_run(admin: Api) -> None:
    program_id = upload(admin)
    bob = token(admin, "bob")
    assert admin.request("DELETE", f"/instances/{OPEN}").status_code == 204
    assert bob.get("/api/Network").json() == []
    body = {"program_id": program_id, "params": {"iterations": 1}}
    refused(bob.post("/jobs", body), 403, "this token has no instance")


def test_instance_text_is_parsed_strictly() -> None:
    assert Instance.parse("ibm-q/open/main") == Instance("ibm-q", "open", "main")
    assert str(Instance("a", "b", "c")) == "a/b/c"
    for bad in ("", "a//c", "a/b/c/", " a/b/c", "a/b/c\n", "á/b/c"):
        with pytest.raises(ValueError, match="HUB/GROUP/PROJECT"):
            Instance.parse(bad)


@pytest.mark.service
def test_jobs_of_an_older_service_ran_under_the_open_instance(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(FIXTURE / "runtime-kit.sqlite3", data)
    shutil.copytree(FIXTURE / "blobs", data / "blobs")
    ids = json.loads((FIXTURE / "ids.json").read_text())
    alice = {"X-Access-Token": (FIXTURE / "alice-token").read_text().strip()}
    service = Service(data, workers=1, admin_token="fixture-admin-token", sandbox="prefer")
    service.start()
    try:
        with TestClient(service.app()) as client:
            job = client.get(f"/jobs/{ids['job']}", headers=alice).json()
            assert (job["hub"], job["group"], job["project"]) == ("ibm-q", "open", "main")
            (hub,) = client.get("/api/Network", headers=alice).json()
            assert hub["name"] == "ibm-q"
    finally:
        service.stop()


def test_the_sdk_lists_jobs_by_instance_and_tells_a_jobs(service: Service, admin: Api) -> None:
    from runtime_kit.client.service import RuntimeService

    admin.post("/instances", {"instance": "lab/a/b"})
    program_id = upload(admin)
    _, token = service.tokens.create("dora", "user", instances=[Instance("lab", "a", "b")])
    dora = Api(admin.client, token)
    body = {"program_id": program_id, "params": {"iterations": 1}}
    lab = dora.post("/jobs", {**body, "hub": "lab", "group": "a", "project": "b"}).json()["id"]
    opened = dora.post("/jobs", body).json()["id"]
    sdk = RuntimeService("http://testserver", token, transport=admin.client._transport)
    try:
        assert [job.job_id() for job in sdk.jobs(instance="lab/a/b")] == [lab]
        assert [job.job_id() for job in sdk.jobs(limit=None)] == [opened, lab]
        assert sdk.job(lab).instance == "lab/a/b"
        assert sdk.job(opened).instance == OPEN
    finally:
        sdk.close()
