"""OpenAPI (issue 10, point 6): ``/openapi.json`` describes every route with its legacy
shapes and errors, ``/docs`` is served by the service itself, and schemathesis, run against a
real ``runtime-kit serve``, finds no server error and no answer that breaks the document."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient

from tests.measured import unmeasured
from tests.service.conftest import Api, program_body
from tests.service.real_server import RealServer

#: Bounds of the schemathesis run: test cases per operation and phase, and a deadline.
MAX_EXAMPLES = 60
SCHEMATHESIS_TIMEOUT_S = 500  # within pytest-timeout's 600 s: a loaded machine is slow


def test_schemathesis_finds_no_failure(real_server: RealServer, tmp_path: Path) -> None:
    """Every phase (examples, coverage, fuzzing, stateful through the OpenAPI links) and every
    check but ``positive_data_acceptance``: a schema cannot say that ``data`` must be base64
    of Python defining ``main()``, or that inputs must match the program's own schema, so
    valid-looking bodies are rightly refused (400)."""
    command = [
        str(Path(sys.executable).with_name("schemathesis")), "run",
        f"{real_server.url}/openapi.json",
        "--header", f"X-Access-Token: {real_server.token}",
        "--checks", "all", "--exclude-checks", "positive_data_acceptance",
        "--max-examples", str(MAX_EXAMPLES), "--seed", "10", "--workers", "1",
        "--generation-database", "none", "--no-color",
    ]  # fmt: skip
    run = subprocess.run(
        command,
        cwd=tmp_path,
        env=unmeasured(os.environ),
        capture_output=True,
        text=True,
        timeout=SCHEMATHESIS_TIMEOUT_S,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-8000:] + run.stderr[-2000:]
    assert re.search(r"\d+ generated, \d+ passed", run.stdout), run.stdout[-3000:]


#: Every HTTP route of the API (websockets, /docs and the web pages /ui are not in it).
PROJECT = "/api/Network/{hub}/Groups/{group}/Projects/{project}"
ROUTES = {
    ("/programs", "get"), ("/programs", "post"), ("/programs/{program_id}", "get"),
    ("/programs/{program_id}", "patch"), ("/programs/{program_id}", "delete"),
    ("/programs/{program_id}/data", "put"), ("/programs/{program_id}/{visibility}", "put"),
    ("/jobs", "get"), ("/jobs", "post"), ("/jobs/{job_id}", "get"), ("/jobs/{job_id}", "delete"),
    ("/jobs/{job_id}/results", "get"), ("/jobs/{job_id}/cancel", "post"),
    ("/jobs/{job_id}/logs", "get"), ("/jobs/{job_id}/interim_results", "get"),
    ("/tokens", "get"), ("/tokens", "post"), ("/tokens/{token_id}", "delete"),
    ("/instances", "get"), ("/instances", "post"),
    ("/instances/{hub}/{group}/{project}", "delete"),
    ("/health", "get"), ("/logout", "post"), ("/metrics", "get"),
    # the account API (qiskit-ibmq-provider, qiskit-ibm-runtime)
    ("/api/version", "get"), ("/api/users/loginWithToken", "post"), ("/api/users/me", "get"),
    ("/api/Network", "get"), (f"{PROJECT}/devices/v/1", "get"),
    (f"{PROJECT}/devices/{{name}}/properties", "get"),
    (f"{PROJECT}/devices/{{name}}/queue/status", "get"),
    (f"{PROJECT}/devices/{{name}}/defaults", "get"),
    # the provider's own job API (backend.run)
    (f"{PROJECT}/Jobs", "post"), (f"{PROJECT}/Jobs/{{job_id}}/qobj", "put"),
    (f"{PROJECT}/Jobs/{{job_id}}/jobDataUploaded", "post"),
    (f"{PROJECT}/Jobs/status/v/1", "get"), (f"{PROJECT}/Jobs/{{job_id}}/v/1", "get"),
    (f"{PROJECT}/Jobs/{{job_id}}/status/v/1", "get"),
    (f"{PROJECT}/Jobs/{{job_id}}/cancel", "post"), (f"{PROJECT}/Jobs/{{job_id}}", "delete"),
    ("/backends", "get"), ("/backends/{name}/configuration", "get"),
    ("/backends/{name}/status", "get"), ("/backends/{name}/properties", "get"),
    ("/backends/{name}/defaults", "get"),
}  # fmt: skip


def test_every_route_is_described(admin: Api) -> None:
    document = admin.get("/openapi.json").json()
    described = {(path, method) for path, ops in document["paths"].items() for method in ops}
    assert described == ROUTES
    schemas = document["components"]["schemas"]
    for path, method in ROUTES:
        operation = document["paths"][path][method]
        answers = operation["responses"]
        assert "422" not in answers, (path, method)
        for status, answer in answers.items():
            content = answer.get("content", {})
            if status.startswith("4"):
                error = content["application/json"]["schema"]
                assert error == {"$ref": "#/components/schemas/Error"}, (path, method, status)
            elif status != "204":
                assert content, (path, method, status)
        if method in ("post", "patch") and path in ("/programs", "/programs/{program_id}"):
            body = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
            assert body.rsplit("/", 1)[1] in schemas
    for open_route in ("/health", "/api/version"):
        assert document["paths"][open_route]["get"]["security"] == []
    assert {"accessToken": []} in document["security"]
    assert "HTTPValidationError" not in schemas


def test_legacy_shapes_are_the_documented_ones(admin: Api) -> None:
    """What GET answers matches the document (the rest is schemathesis's)."""
    from runtime_kit.metadata.schema_validators import compile_schema, schema_errors

    document = admin.get("/openapi.json").json()
    components = document["components"]["schemas"]

    def check(name: str, value: object) -> None:
        validator = compile_schema(
            {
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "$ref": f"#/components/schemas/{name}",
                "components": {"schemas": components},
            }
        )
        assert schema_errors(validator, value) == [], (name, value)

    program_id = admin.post("/programs", program_body()).json()["id"]
    check("Program", admin.get(f"/programs/{program_id}").json())
    check("ProgramList", admin.get("/programs").json())
    job = admin.post("/jobs", {"program_id": program_id, "params": {"iterations": 1}}).json()
    check("JobCreated", job)
    admin.wait_final(job["id"])
    check("Job", admin.get(f"/jobs/{job['id']}").json())
    check("JobList", admin.get("/jobs").json())
    check("TokenList", admin.get("/tokens").json())
    check("Error", admin.get("/jobs/nope").json())


def test_docs_need_nothing_from_elsewhere(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert not re.search(r"(?:src|href)=\"?(?:https?:)?//", page.text)  # no CDN
    assert '"validatorUrl": null' in page.text  # no badge from validator.swagger.io
    for asset in re.findall(r"(?:src|href)=\"(/docs/assets/[^\"]+)\"", page.text):
        assert client.get(asset).status_code == 200, asset
    assert len(re.findall(r"/docs/assets/", page.text)) == 3
    assert "/ui" not in str(client.get("/openapi.json").json()["paths"])


def test_405_names_every_method_of_the_path(admin: Api) -> None:
    response = admin.request("PUT", "/jobs")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    assert response.json()["error"]["status"] == 405
