"""The gateway API in-process: shapes the client reads, and every kind of bad input refused
with the service's error shape before anything is stored or run."""

from __future__ import annotations

import json
import tarfile
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from runtime_kit.service.service import Service
from tests.functions.conftest import ENTRYPOINT, SCHEMA, tar_of

V1 = "/api/v1"


class Gateway:
    """A TestClient speaking as ServerlessClient does, with one token."""

    def __init__(self, client: TestClient, token: str) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}", "Service-Channel": "local"}

    def upload(self, artifact: bytes | None = None, **fields: Any) -> httpx.Response:
        data = {"title": "probe", "entrypoint": "main.py", "dependencies": "[]", **fields}
        files = {} if artifact is None else {"artifact": ("artifact.tar", artifact)}
        return self.client.post(
            f"{V1}/programs/upload/", data=data, files=files, headers=self.headers
        )

    def run(self, title: str = "probe", **arguments: Any) -> httpx.Response:
        body = {"title": title, "arguments": json.dumps(arguments), "config": {}}
        return self.client.post(f"{V1}/programs/run/", json=body, headers=self.headers)

    def get(self, path: str, **params: Any) -> httpx.Response:
        return self.client.get(f"{V1}{path}", params=params, headers=self.headers)

    def post(self, path: str, body: Any = None) -> httpx.Response:
        return self.client.post(f"{V1}{path}", json=body or {}, headers=self.headers)

    def wait(self, job_id: str, timeout_s: float = 60) -> dict[str, Any]:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            job = self.get(f"/jobs/{job_id}/").json()
            if job["status"] not in ("QUEUED", "RUNNING"):
                return job
            time.sleep(0.05)
        raise AssertionError(f"job {job_id} did not end in {timeout_s} s")


@pytest.fixture
def gateway_as(service: Service, client: TestClient) -> Callable[[str, str], Gateway]:
    def make(role: str, name: str = "someone") -> Gateway:
        _, token = service.tokens.create(name, role)
        return Gateway(client, token)

    return make


@pytest.fixture
def alice(gateway_as: Callable[[str, str], Gateway]) -> Gateway:
    return gateway_as("uploader", "alice")


def _uploaded(gateway: Gateway, entrypoint: str = ENTRYPOINT) -> dict[str, Any]:
    response = gateway.upload(tar_of({"main.py": entrypoint}), arguments_schema=json.dumps(SCHEMA))
    assert response.status_code == 200, response.text
    return response.json()


def _error(response: httpx.Response, status: int, fragment: str) -> None:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["status"] == status and fragment in error["message"], error


def test_a_function_uploads_runs_and_answers_the_shapes_the_client_reads(alice: Gateway) -> None:
    uploaded = _uploaded(alice)
    assert uploaded["title"] == "probe" and uploaded["provider"] is None
    assert json.loads(uploaded["arguments_schema"]) == SCHEMA
    assert [f["title"] for f in alice.get("/programs").json()] == ["probe"]
    assert alice.get("/programs/get_by_title/probe").json()["entrypoint"] == "main.py"
    started = alice.run(shots=5, label="x")
    assert started.status_code == 200, started.text
    job_id = started.json()["id"]
    job = alice.wait(job_id)
    assert job["status"] == "SUCCEEDED" and job["program"]["title"] == "probe"
    assert json.loads(alice.get(f"/jobs/{job_id}/result/").json()["result"]) == {
        "shots": 5,
        "label": "x",
    }
    logs = alice.get(f"/jobs/{job_id}/logs/").json()["logs"]
    assert "[PUBLIC] INFO: shots 5" in logs and "[runtime-kit] status: MAPPING" in logs
    listed = alice.get("/jobs/", limit=10, offset=0).json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == job_id
    assert alice.get("/jobs/", status="SUCCEEDED", function="probe").json()["count"] == 1
    assert alice.get("/jobs/", status="FAILED").json()["count"] == 0
    assert alice.get(f"/jobs/{job_id}/events/").json() == []
    assert alice.get(f"/jobs/{job_id}/runtime_jobs/").json() == {"runtime_jobs": []}
    assert alice.post(f"/jobs/{job_id}/stop/").json() == {"message": "Job has already ended."}
    assert alice.post(
        "/programs/validate_arguments/", {"title": "probe", "arguments": '{"shots": 1}'}
    ).json() == {"valid": True}


def test_a_failed_function_has_its_error_event(alice: Gateway) -> None:
    _uploaded(alice, "raise ValueError('no luck')\n")
    job = alice.wait(alice.run(shots=1).json()["id"])
    assert job["status"] == "FAILED"
    events = alice.get(f"/jobs/{job['id']}/events/", type="ERROR").json()
    assert events[0]["data"]["message"] == "ValueError: no luck"
    assert "raise ValueError('no luck')" in events[0]["data"]["exception"]
    assert alice.get(f"/jobs/{job['id']}/result/").json() == {"result": None}


def test_arguments_failing_the_schema_are_refused_before_any_job(
    alice: Gateway, service: Service
) -> None:
    _uploaded(alice)
    _error(alice.run(shots=0), 400, "argument 'shots': 0 is less than the minimum of 1")
    _error(alice.run(), 400, '"shots" is a required property')
    _error(alice.run(shots=1, extra=True), 400, "Additional properties")
    _error(alice.run(shots={"__type__": "ndarray", "__value__": "bad"}), 400, "argument 'shots'")
    bad_text = alice.client.post(
        f"{V1}/programs/run/",
        json={"title": "probe", "arguments": "{not json"},
        headers=alice.headers,
    )
    _error(bad_text, 400, "malformed arguments")
    not_text = alice.client.post(
        f"{V1}/programs/run/",
        json={"title": "probe", "arguments": {"shots": 1}},
        headers=alice.headers,
    )
    _error(not_text, 400, "arguments must be JSON text")
    _error(
        alice.post(
            "/programs/validate_arguments/", {"title": "probe", "arguments": '{"shots": -1}'}
        ),
        400,
        "minimum",
    )
    assert service.store.count("SELECT COUNT(*) FROM jobs") == 0


def test_unknown_functions_and_other_users_jobs_are_not_found(
    alice: Gateway, gateway_as: Callable[[str, str], Gateway]
) -> None:
    _uploaded(alice)
    job_id = alice.run(shots=1).json()["id"]
    bob = gateway_as("uploader", "bob")
    _error(bob.run(shots=1), 404, "Qiskit Function [probe] doesn't exist.")
    _error(bob.get("/programs/get_by_title/probe"), 404, "doesn't exist")
    _error(alice.get("/programs/get_by_title/nothing"), 404, "Qiskit Function [nothing]")
    _error(alice.run("acme/probe", shots=1), 404, "Qiskit Function [acme/probe]")
    assert bob.get("/programs").json() == []
    for path in ("", "result/", "logs/", "events/", "runtime_jobs/"):
        _error(bob.get(f"/jobs/{job_id}/{path}"), 404, "job not found")
    _error(bob.post(f"/jobs/{job_id}/stop/"), 404, "job not found")
    assert bob.get("/jobs/").json()["count"] == 0
    _error(alice.get("/jobs/job-nosuchjob/"), 404, "job not found")
    alice.wait(job_id)


def test_a_program_job_is_not_a_function_job(alice: Gateway, admin: Any) -> None:
    from tests.service.conftest import program_body

    program_id = admin.post("/programs", program_body()).json()["id"]
    job_id = admin.post("/jobs", {"program_id": program_id, "params": {"iterations": 1}}).json()[
        "id"
    ]
    admin_gateway = Gateway(alice.client, "admin-secret")
    _error(admin_gateway.get(f"/jobs/{job_id}/"), 404, "not a Qiskit Function's job")
    assert admin_gateway.get("/programs").json() == []
    admin.wait_final(job_id)


def test_uploads_need_the_uploader_role_and_a_token(
    gateway_as: Callable[[str, str], Gateway], client: TestClient
) -> None:
    user = gateway_as("user", "carol")
    _error(user.upload(tar_of({"main.py": "1"})), 403, "role uploader needed")
    _error(client.get(f"{V1}/programs/"), 401, "missing API token")
    bad = Gateway(client, "wrong")
    _error(bad.get("/programs/"), 401, "invalid or revoked API token")


@pytest.mark.parametrize(
    ("files", "fields", "status", "fragment"),
    [
        ({"main.py": "1"}, {"entrypoint": "../main.py"}, 400, "outside the function's working_dir"),
        (
            {"main.py": "1"},
            {"entrypoint": "/tmp/main.py"},
            400,
            "outside the function's working_dir",
        ),
        ({"main.py": "1"}, {"entrypoint": "main.sh"}, 400, "relative path to a .py file"),
        ({"main.py": "1"}, {"entrypoint": "other.py"}, 400, "not in the uploaded working_dir"),
        ({"main.py": "1"}, {"title": "bad title!"}, 400, "invalid title"),
        ({"main.py": "1"}, {"title": "a/b/c"}, 400, "invalid title"),
        ({"main.py": "1"}, {"arguments_schema": "{bad"}, 400, "malformed arguments_schema"),
        ({"main.py": "1"}, {"arguments_schema": '{"type": "nope"}'}, 400, "cannot be used"),
        ({"main.py": "1"}, {"arguments_schema": "[1]"}, 400, "must be a JSON Schema"),
        ({"main.py": "1"}, {"dependencies": '{"a": 1}'}, 400, "must be a JSON array"),
        ({"main.py": "1"}, {"dependencies": '["-e ."]'}, 400, "dependency '-e .'"),
        ({"main.py": "1"}, {"dependencies": "[3]"}, 400, "is not a requirement"),
        ({"main.py": "1"}, {"env_vars": '{"A": "1"}'}, 400, "env_vars are not supported"),
        ({"main.py": "1"}, {"image": "docker.io/x"}, 400, "custom image are not supported"),
        ({"main.py": "1"}, {"sizes": "{}"}, 400, "function sizes"),
        ({"main.py": "1"}, {"surprise": "1"}, 400, "unknown upload field 'surprise'"),
        ({"../main.py": "1"}, {"entrypoint": "main.py"}, 400, "leaves the working directory"),
    ],
)
def test_bad_uploads_are_refused_and_store_nothing(
    alice: Gateway,
    service: Service,
    files: dict[str, str],
    fields: dict[str, str],
    status: int,
    fragment: str,
) -> None:
    _error(alice.upload(tar_of(files), **fields), status, fragment)
    assert _functions_stored(service) == 0


def test_links_in_the_tar_are_refused(alice: Gateway, service: Service) -> None:
    link = tarfile.TarInfo("secrets.py")
    link.type = tarfile.SYMTYPE
    link.linkname = "/etc/shadow"
    _error(alice.upload(tar_of({"main.py": "1"}, extra=[link])), 400, "is a link")
    _error(alice.upload(b"garbage"), 400, "not a tar archive")
    _error(alice.upload(None), 400, "multipart/form-data")  # fields alone: url-encoded
    no_artifact = alice.client.post(
        f"{V1}/programs/upload/",
        files=[("title", (None, "probe")), ("entrypoint", (None, "main.py"))],
        headers=alice.headers,
    )
    _error(no_artifact, 400, "artifact (the tar of the function's working_dir) is required")
    as_field = alice.client.post(
        f"{V1}/programs/upload/",
        files=[("title", (None, "probe")), ("entrypoint", ("x.txt", b"main.py"))],
        headers=alice.headers,
    )
    _error(as_field, 400, "entrypoint must be a form field")
    plain = alice.client.post(f"{V1}/programs/upload/", json={"title": "x"}, headers=alice.headers)
    _error(plain, 400, "multipart/form-data")
    assert _functions_stored(service) == 0


def test_a_new_upload_replaces_the_function(alice: Gateway, service: Service) -> None:
    from collections import Counter

    from tests.service.test_quotas import stored_by_owner, usage_rows

    _uploaded(alice)
    again = alice.upload(
        tar_of({"main.py": "from qiskit_serverless import save_result\nsave_result({'v': 2})\n"}),
        description="second",
    )
    assert again.status_code == 200, again.text
    assert again.json()["arguments_schema"] == "{}"
    assert len(alice.get("/programs").json()) == 1
    job = alice.wait(alice.run().json()["id"])
    assert json.loads(alice.get(f"/jobs/{job['id']}/result/").json()["result"]) == {"v": 2}
    # the replaced files leave the owner's stored bytes (the quota's) equal to what is stored
    assert usage_rows(service.store) - Counter() == stored_by_owner(service.store) - Counter()


def test_bad_list_queries_are_400(alice: Gateway) -> None:
    _error(alice.get("/jobs/", status="DONE"), 400, "unknown status 'DONE'")
    _error(alice.get("/jobs/", limit="-1"), 400, "limit must be")
    _error(alice.get("/jobs/", offset="x"), 400, "offset must be")


def test_the_web_view_shows_a_function_and_its_job(alice: Gateway, client: TestClient) -> None:
    from tests.service.ui.test_pages import form_secret

    function_id = _uploaded(alice)["id"]
    job_id = alice.run(shots=3).json()["id"]
    alice.wait(job_id)
    browser = TestClient(client.app)
    signed_in = browser.post(
        "/ui/sign-in",
        data={"csrf": form_secret(browser.get("/ui/sign-in").text), "token": "admin-secret"},
        follow_redirects=False,
    )
    assert signed_in.status_code == 303, signed_in.text
    jobs = browser.get("/ui/jobs")
    assert jobs.status_code == 200 and job_id in jobs.text
    page = browser.get(f"/ui/jobs/{job_id}")
    assert page.status_code == 200 and "COMPLETED" in page.text and "shots 3" in page.text
    assert browser.get(f"/ui/programs/{function_id}").status_code == 200


def _functions_stored(service: Service) -> int:
    from runtime_kit.service.http.gateway_functions import IS_FUNCTION

    return service.store.count(f"SELECT COUNT(*) FROM program_rows WHERE {IS_FUNCTION}")
