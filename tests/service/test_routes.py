"""The REST API in-process (TestClient): programs, jobs, shapes, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from runtime_kit.sandbox.limits import JobLimits
from runtime_kit.service.service import Service
from tests.service.conftest import Api, program_body, source_of


def upload(api: Api, name: str = "hello", **extra: object) -> str:
    response = api.post("/programs", program_body(name, **extra))
    assert response.status_code == 200, response.text
    return response.json()["id"]


def test_program_lifecycle(admin: Api) -> None:
    program_id = upload(admin)
    assert program_id.startswith("hello-") and len(program_id) == len("hello-") + 10
    listed = admin.get("/programs").json()
    assert listed["count"] == 1 and "data" not in listed["programs"][0]
    got = admin.get(f"/programs/{program_id}").json()
    assert got["data"].startswith('"""hello')
    assert (got["cost"], got["is_public"]) == (60, False)
    assert set(got["spec"]) == {
        "backend_requirements",
        "parameters",
        "return_values",
        "interim_results",
    }
    assert (
        admin.request(
            "PATCH", f"/programs/{program_id}", {"description": "new", "cost": 30}
        ).status_code
        == 204
    )
    assert admin.get(f"/programs/{program_id}").json()["description"] == "new"
    new_source = source_of("def main(backend, user_messenger):\n    return 'v2'\n")
    response = admin.client.put(
        f"/programs/{program_id}/data",
        content=new_source,
        headers={**admin.headers, "Content-Type": "application/octet-stream"},
    )
    assert response.status_code == 204
    assert "v2" in admin.get(f"/programs/{program_id}").json()["data"]
    assert admin.request("PUT", f"/programs/{program_id}/public").status_code == 204
    assert admin.get(f"/programs/{program_id}").json()["is_public"] is True
    assert admin.post("/programs", program_body()).status_code == 409
    assert admin.request("DELETE", f"/programs/{program_id}").status_code == 204
    assert admin.request("DELETE", f"/programs/{program_id}").status_code == 404


def test_program_paging_keeps_count(admin: Api) -> None:
    for index in range(5):
        upload(admin, f"p{index}")
    page = admin.get("/programs", params={"limit": 2, "offset": 4}).json()
    assert page["count"] == 5 and [p["name"] for p in page["programs"]] == ["p4"]


def test_job_lifecycle(admin: Api) -> None:
    program_id = upload(admin)
    assert admin.post("/instances", {"instance": "h/g/p"}).status_code == 200
    response = admin.post(
        "/jobs",
        {
            "program_id": program_id,
            "hub": "h",
            "group": "g",
            "project": "p",
            "backend": "ibmq_qasm_simulator",
            "params": {"iterations": 2, "shots": 8},
            "runtime": "",
            "log_level": "INFO",
        },
    )
    assert response.status_code == 200, response.text
    job_id = response.json()["id"]
    job = admin.wait_final(job_id)
    assert job["status"] == "COMPLETED" and job["state"] == {"status": "COMPLETED", "reason": ""}
    assert (job["hub"], job["group"], job["project"], job["backend"]) == (
        "h",
        "g",
        "p",
        "ibmq_qasm_simulator",
    )
    assert job["program"] == {"id": program_id} and job["params"] == {"iterations": 2, "shots": 8}
    result = admin.get(f"/jobs/{job_id}/results")
    assert result.headers["content-type"].startswith("text/plain")
    assert json.loads(result.text) == "Ran 2 circuits, 16 shots in all."
    interim = json.loads(admin.get(f"/jobs/{job_id}/interim_results").text)
    assert [m["iteration"] for m in interim] == [0, 1]
    assert admin.get(f"/jobs/{job_id}/logs").text == ""
    assert admin.post(f"/jobs/{job_id}/cancel").status_code == 409
    assert admin.get("/jobs", params={"pending": "false"}).json()["count"] == 1
    assert admin.get("/jobs", params={"pending": "true"}).json()["count"] == 0
    assert admin.get("/jobs", params={"program": "other"}).json()["count"] == 0
    assert admin.request("DELETE", f"/jobs/{job_id}").status_code == 204
    assert admin.get(f"/jobs/{job_id}").status_code == 404


def test_legacy_param_shapes_and_private_attributes(admin: Api) -> None:
    program_id = upload(admin)
    shapes = [
        ['{"iterations": 1, "shots": 4}'],  # P 0.16: a list holding a JSON string
        '{"iterations": 1, "shots": 4}',
        {"iterations": 1, "shots": 4, "_ParameterNamespace__metadata": {"x": 1}},
    ]
    for params in shapes:
        job_id = admin.post("/jobs", {"programId": program_id, "params": params}).json()["id"]
        job = admin.wait_final(job_id)
        assert job["status"] == "COMPLETED", admin.get(f"/jobs/{job_id}/results").text


def test_failed_job_result_is_its_error_and_traceback(admin: Api) -> None:
    program_id = upload(
        admin,
        "fails",
        source="def main(backend, user_messenger):\n"
        "    print('before')\n    raise ValueError('nope')\n",
        spec={},
    )
    job_id = admin.post("/jobs", {"program_id": program_id, "params": {}}).json()["id"]
    job = admin.wait_final(job_id)
    assert job["status"] == "FAILED" and job["state"]["reason"] == "ValueError: nope"
    text = admin.get(f"/jobs/{job_id}/results").text
    assert text.startswith("ValueError: nope\nTraceback (most recent call last):")
    assert admin.get(f"/jobs/{job_id}/logs").text == "before\n"


def test_bad_requests_are_4xx_with_one_error_shape(admin: Api) -> None:
    program_id = upload(admin)
    cases = [
        ("POST", "/programs", "{not json", 400, "malformed JSON body"),
        ("POST", "/programs", "[1, 2]", 400, "must be an object"),
        (
            "POST",
            "/programs",
            json.dumps({**program_body("x"), "data": "%%%"}),
            400,
            "not valid base64",
        ),
        (
            "POST",
            "/programs",
            json.dumps({**program_body("x"), "cost": 0}),
            400,
            "positive integer",
        ),
        (
            "POST",
            "/programs",
            json.dumps({**program_body("bad name")}),
            400,
            "invalid program name",
        ),
        (
            "POST",
            "/programs",
            json.dumps({**program_body("x"), "data": source_of("print(1)")}),
            400,
            "defines no main()",
        ),
        (
            "POST",
            "/jobs",
            json.dumps({"program_id": program_id, "backend": "ibm_nowhere"}),
            400,
            "unknown backend",
        ),
        (
            "POST",
            "/jobs",
            json.dumps({"program_id": program_id, "params": {"iterations": "x"}}),
            400,
            "is not of type",
        ),
        (
            "POST",
            "/jobs",
            json.dumps(
                {
                    "program_id": program_id,
                    "params": {"iterations": 1, "seed": {"__type__": "ndarray", "__value__": "!!"}},
                }
            ),
            400,
            "invalid base64",
        ),
        ("POST", "/jobs", json.dumps({"program_id": "nope-1234567890"}), 404, "program not found"),
        ("GET", "/jobs/job-unknown", None, 404, "job not found"),
        ("GET", "/programs?limit=abc", None, 400, "limit"),
        ("GET", "/programs?limit=99999999999999999999", None, 400, "limit"),
        ("GET", "/jobs?offset=-1", None, 400, "offset"),
        ("GET", "/no/such/route", None, 404, "Not Found"),
    ]
    for method, path, content, status, message in cases:
        response = admin.client.request(method, path, content=content, headers=admin.headers)
        assert response.status_code == status, (path, content, response.text)
        error = response.json()["error"]
        assert message in error["message"] and error["status"] == status and error["code"]
    admin.client.app.state.api.max_body_bytes = 1000  # type: ignore[attr-defined]
    big = admin.client.post(
        "/programs", content=json.dumps(program_body("big")), headers=admin.headers
    )
    assert big.status_code == 413 and big.json()["error"]["code"] == "TOO_LARGE"


def test_json_is_read_whatever_the_content_type(admin: Api) -> None:
    response = admin.client.post(
        "/programs",
        content=json.dumps(program_body()),
        headers={**admin.headers, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200


def test_tokens_bearer_and_revocation(admin: Api) -> None:
    made = admin.post("/tokens", {"name": "bob", "role": "user"}).json()
    bearer = {"Authorization": f"Bearer {made['token']}"}
    assert admin.client.get("/programs", headers=bearer).status_code == 200
    assert [t["name"] for t in admin.get("/tokens").json()["tokens"]] == ["admin", "bob"]
    assert "token" not in admin.get("/tokens").json()["tokens"][1]
    assert admin.request("DELETE", f"/tokens/{made['id']}").status_code == 204
    revoked = admin.client.get("/programs", headers=bearer)
    assert revoked.status_code == 401 and revoked.json()["error"]["code"] == "UNAUTHORIZED"
    assert admin.client.get("/programs").status_code == 401


@pytest.mark.service
def test_oversize_result_fails_the_job(tmp_path: Path) -> None:
    limits = JobLimits(message_mib=1)
    running = Service(tmp_path / "data", workers=1, admin_token="adm", limits=limits)
    running.start()
    try:
        with TestClient(running.app()) as client:
            admin = Api(client, "adm")
            source = "def main(backend, user_messenger):\n    return 'x' * (1 << 20)\n"
            program_id = upload(admin, "big", source=source, spec={})
            job_id = admin.post("/jobs", {"program_id": program_id}).json()["id"]
            job = admin.wait_final(job_id)
    finally:
        running.stop()
    assert job["status"] == "FAILED"
    assert job["state"]["reason"] == (
        "limit reached: message size (the result of 1048578 bytes; at most 1048576)"
    )
