"""qiskit-ibmq-provider's own job API (``backend.run``), route by route, in-process: create,
upload the Qobj, submit, status (also over its websocket), the job with its result, list
with the provider's filters, cancel, delete; bad requests; who sees what.  The provider itself
drives it in tests/interop/test_legacy_backend_run.py."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from runtime_kit.service.service import Service
from tests.qobj.test_qobj_circuits import BELL, experiment, qobj
from tests.service.conftest import Api, program_body

PROJECT = "/api/Network/ibm-q/Groups/open/Projects/main"
JOBS = f"{PROJECT}/Jobs"


def create(api: Api, **body: Any) -> dict[str, Any]:
    defaults = {"backend": {"name": "ibmq_qasm_simulator"}, "allowObjectStorage": True}
    response = api.post(JOBS, {**defaults, **body})
    assert response.status_code == 200, response.text
    return response.json()


def upload(api: Api, job: dict[str, Any], document: dict[str, Any]) -> Any:
    url = job["objectStorageInfo"]["uploadUrl"].removeprefix("http://testserver")
    return api.client.put(url, content=json.dumps(document), headers=api.headers)


def submit(api: Api, document: dict[str, Any] | None = None, **body: Any) -> str:
    job = create(api, **body)
    assert upload(api, job, document or qobj(experiment(BELL))).status_code == 204
    submitted = api.post(f"{JOBS}/{job['id']}/jobDataUploaded")
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["job"]["id"] == job["id"]
    return str(job["id"])


def wait(api: Api, job_id: str, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = api.get(f"{JOBS}/{job_id}/status/v/1").json()
        if status["status"] not in ("QUEUED", "RUNNING", "CREATING"):
            return dict(api.get(f"{JOBS}/{job_id}/v/1").json())
        time.sleep(0.05)
    raise AssertionError(f"{job_id} did not end in {timeout} s")


def refused(response: Any, status: int, text: str) -> None:
    assert response.status_code == status, response.text
    assert text in response.json()["error"]["message"], response.json()


def test_create_upload_submit_and_read_the_result(admin: Api) -> None:
    job = create(admin, name="my bell", tags=["t1", "t2"])
    assert job["status"] == "CREATING" and job["kind"] == "q-object-external-storage"
    assert job["objectStorageInfo"]["uploadUrl"] == f"http://testserver{JOBS}/{job['id']}/qobj"
    assert admin.get(f"{JOBS}/{job['id']}/status/v/1").json()["status"] == "CREATING"
    document = qobj(experiment(BELL, name="bell"), memory=True)
    assert upload(admin, job, document).status_code == 204
    submitted = admin.post(f"{JOBS}/{job['id']}/jobDataUploaded").json()["job"]
    assert submitted["status"] in ("QUEUED", "RUNNING") and submitted["kind"] == "q-object"
    done = wait(admin, job["id"])
    assert done["status"] == "COMPLETED" and "error" not in done
    assert (done["name"], done["tags"], done["backend"]) == (
        "my bell",
        ["t1", "t2"],
        {"name": "ibmq_qasm_simulator"},
    )
    assert done["qObject"] == document
    result = done["qObjectResult"]
    assert result["job_id"] == job["id"] and result["qobj_id"] == "q-1"
    (experiment_result,) = result["results"]
    assert sum(experiment_result["data"]["counts"].values()) == 256
    assert experiment_result["header"]["name"] == "bell"
    assert done["hubInfo"]["project"] == {"name": "main"}
    assert done["clientInfo"] == {"name": "unknown", "version": "unknown"}


def test_the_client_header_becomes_the_jobs_client_info(admin: Api) -> None:
    client = "qiskit-ibmq-provider,qiskit-terra/0.20.2,0.23.3"
    headers = {**admin.headers, "X-Qx-Client-Application": client}
    body = {"backend": {"name": "ibmq_qasm_simulator"}, "allowObjectStorage": True}
    job = admin.client.post(JOBS, content=json.dumps(body), headers=headers).json()
    assert job["clientInfo"] == {
        "name": "qiskit-ibmq-provider,qiskit-terra",
        "version": "0.20.2,0.23.3",
    }


def test_a_qobj_the_job_cannot_read_fails_it_saying_why(admin: Api) -> None:
    broken = experiment([*BELL, {"name": "snapshot", "qubits": [0]}])
    done = wait(admin, submit(admin, qobj(broken)))
    assert done["status"] == "ERROR_RUNNING_JOB" and "qObjectResult" not in done
    message = done["error"]["message"]
    assert "experiment 0, instruction 4: 'snapshot' is not an instruction" in message
    assert done["error"]["code"] == "ERROR_RUNNING_JOB"


def test_listing_with_the_providers_filters(admin: Api) -> None:
    first = submit(admin, name="alpha", tags=["x"])
    second = submit(admin, name="beta", tags=["y"])
    for job_id in (first, second):
        wait(admin, job_id)

    def listed(where: dict[str, Any] | None = None, **page: Any) -> list[str]:
        query = {"order": "creationDate DESC", "limit": 10, "skip": 0, **page}
        if where is not None:
            query["where"] = where
        response = admin.get(f"{JOBS}/status/v/1", params={"filter": json.dumps(query)})
        assert response.status_code == 200, response.text
        return [job["id"] for job in response.json()]

    assert listed() == [second, first]
    assert listed({"name": {"regexp": "^alp"}}) == [first]
    assert listed({"tags": {"inq": ["y"]}}) == [second]
    assert listed({"status": "COMPLETED", "backend.name": "ibmq_qasm_simulator"}) == [second, first]
    assert listed({"status": {"regexp": "^ERROR"}}) == []
    assert listed(limit=1, skip=1) == [first]
    assert listed(order="creationDate ASC") == [first, second]
    refused(admin.get(f"{JOBS}/status/v/1", params={"filter": "{"}), 400, "filter: not JSON")
    assert [job["id"] for job in admin.get(f"{JOBS}/status/v/1").json()] == [second, first]


def test_cancel_and_delete(admin: Api) -> None:
    pending = create(admin)
    assert admin.post(f"{JOBS}/{pending['id']}/cancel").json() == {"cancelled": True}
    refused(admin.get(f"{JOBS}/{pending['id']}/v/1"), 404, "job not found")
    done = submit(admin)
    wait(admin, done)
    cancelled = admin.post(f"{JOBS}/{done}/cancel").json()
    assert cancelled["cancelled"] is False and "has ended" in cancelled["reason"]
    assert admin.request("DELETE", f"{JOBS}/{done}").status_code == 204
    refused(admin.get(f"{JOBS}/{done}/v/1"), 404, "job not found")
    refused(admin.request("DELETE", f"{JOBS}/{done}"), 404, "job not found")
    waiting = create(admin)
    assert admin.request("DELETE", f"{JOBS}/{waiting['id']}").status_code == 204
    refused(admin.post(f"{JOBS}/{waiting['id']}/jobDataUploaded"), 404, "job not found")


def test_a_running_job_is_cancelled(admin: Api) -> None:
    # a measurement before a reset: every shot is simulated on its own (no sampling)
    every_shot = [
        {"name": "h", "qubits": [0]},
        {"name": "measure", "qubits": [0], "memory": [0]},
        {"name": "reset", "qubits": [0]},
        {"name": "h", "qubits": [0]},
        {"name": "measure", "qubits": [0], "memory": [1]},
    ]
    slow = qobj(experiment(every_shot), shots=10_000_000)
    job_id = submit(admin, slow)
    deadline = time.monotonic() + 60
    while admin.get(f"{JOBS}/{job_id}/status/v/1").json()["status"] == "QUEUED":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert admin.post(f"{JOBS}/{job_id}/cancel").json() == {"cancelled": True}
    assert wait(admin, job_id)["status"] == "CANCELLED"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"backend": {"name": "no_such"}}, "backend.name: not a backend of this service"),
        ({"backend": "ibmq_qasm_simulator"}, "backend.name"),
        ({"backend": {"name": "aer_simulator"}, "allowObjectStorage": False}, "by upload only"),
        ({"backend": {"name": "aer_simulator"}, "experimentTag": "e1"}, "experiments are not kept"),
        ({"backend": {"name": "aer_simulator"}, "name": 3}, "name must be a string"),
        ({"backend": {"name": "aer_simulator"}, "tags": "x"}, "tags must be a list"),
        ({"backend": {"name": "aer_simulator"}, "tags": [""]}, "tags: each is a string of 1"),
    ],
)
def test_bad_creations_are_refused(admin: Api, body: dict[str, Any], message: str) -> None:
    refused(admin.post(JOBS, body), 400, message)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "malformed Qobj"),
        ("[]", "the Qobj must be a JSON object"),
        ('{"type": "PULSE", "experiments": [{"instructions": []}]}', "only QASM Qobjs run here"),
        ('{"experiments": []}', "the Qobj has no experiments"),
        ('{"experiments": [{}]}', "experiment 0 of the Qobj has no list of instructions"),
        ('{"experiments": [{"instructions": []}], "config": 1}', "config must be an object"),
    ],
)
def test_bad_uploads_are_refused_and_nothing_is_submitted(
    admin: Api, content: str, message: str
) -> None:
    job = create(admin)
    url = job["objectStorageInfo"]["uploadUrl"].removeprefix("http://testserver")
    refused(admin.client.put(url, content=content, headers=admin.headers), 400, message)
    refused(admin.post(f"{JOBS}/{job['id']}/jobDataUploaded"), 400, "has no Qobj yet")


def test_a_job_is_submitted_once(admin: Api) -> None:
    job_id = submit(admin)
    refused(admin.post(f"{JOBS}/{job_id}/jobDataUploaded"), 409, "was submitted already")
    url = f"{JOBS}/{job_id}/qobj"
    again = admin.client.put(url, content=json.dumps(qobj(experiment(BELL))), headers=admin.headers)
    refused(again, 409, "was submitted already")


def test_who_sees_what(service: Service, admin: Api) -> None:
    admin.post("/instances", {"instance": "lab/a/b"})
    _, alice_token = service.tokens.create("alice", "user", instances=[])
    _, bob_token = service.tokens.create("bob", "user")
    alice, bob = Api(admin.client, alice_token), Api(admin.client, bob_token)
    job_id = submit(alice)
    wait(alice, job_id)
    refused(bob.get(f"{JOBS}/{job_id}/v/1"), 404, "job not found")
    assert bob.get(f"{JOBS}/status/v/1").json() == []
    assert [j["id"] for j in admin.get(f"{JOBS}/status/v/1").json()] == [job_id]
    refused(alice.get(f"/api/Network/lab/Groups/a/Projects/b/Jobs/{job_id}/v/1"), 404, "lab/a/b")
    refused(admin.get(f"/api/Network/lab/Groups/a/Projects/b/Jobs/{job_id}/v/1"), 404, "job not")
    # circuit jobs are the provider's job API's; the runtime routes show program jobs only
    refused(alice.get(f"/jobs/{job_id}"), 404, "job not found")
    assert alice.get("/jobs").json()["count"] == 0
    program = admin.post("/programs", program_body("p", is_public=True)).json()["id"]
    program_job = alice.post("/jobs", {"program_id": program, "params": {"iterations": 1}})
    refused(alice.get(f"{JOBS}/{program_job.json()['id']}/v/1"), 404, "job not found")
    # and the internal program that runs them is nobody's to see or run
    for caller in (alice, admin):
        refused(caller.get("/programs/qobj-runner"), 404, "program not found")
        assert "qobj-runner" not in [p["id"] for p in caller.get("/programs").json()["programs"]]
        refused(caller.post("/jobs", {"program_id": "qobj-runner", "params": {}}), 404, "not found")


def test_the_status_websocket(client: TestClient, admin: Api) -> None:
    job_id = submit(admin)
    path = f"/api/ws/jobs/{job_id}/status/v/1"
    seen = []
    with client.websocket_connect(path) as socket:
        socket.send_text(json.dumps({"type": "authentication", "data": "admin-secret"}))
        assert json.loads(socket.receive_text()) == {"type": "authenticated"}
        with pytest.raises(WebSocketDisconnect) as closed:
            while True:
                message = json.loads(socket.receive_text())
                assert message["type"] == "job-status" and message["data"]["id"] == job_id
                seen.append(message["data"]["status"])
        assert closed.value.code == 4002
    assert seen[-1] == "COMPLETED" and set(seen) <= {"QUEUED", "RUNNING", "COMPLETED"}
    with client.websocket_connect(path) as socket:
        socket.send_text(json.dumps({"type": "authentication", "data": "wrong"}))
        with pytest.raises(WebSocketDisconnect) as closed:
            socket.receive_text()
        assert closed.value.code == 4001
    with client.websocket_connect("/api/ws/jobs/job-none/status/v/1") as socket:
        socket.send_text(json.dumps({"type": "authentication", "data": "admin-secret"}))
        assert json.loads(socket.receive_text()) == {"type": "authenticated"}
        with pytest.raises(WebSocketDisconnect) as closed:
            socket.receive_text()
        assert closed.value.code == 4003
    with client.websocket_connect(path) as socket:
        socket.send_text("not json")
        with pytest.raises(WebSocketDisconnect) as closed:
            socket.receive_text()
        assert closed.value.code == 4001


def test_a_job_never_submitted_is_forgotten_a_day_later(service: Service, admin: Api) -> None:
    old = create(admin)
    with service.store.transaction() as db:
        db.execute(
            "UPDATE circuit_uploads SET created = ? WHERE job_id = ?",
            ("2000-01-01T00:00:00.000000Z", old["id"]),
        )
    fresh = create(admin)
    refused(admin.get(f"{JOBS}/{old['id']}/v/1"), 404, "job not found")
    assert admin.get(f"{JOBS}/{fresh['id']}/v/1").json()["status"] == "CREATING"
