"""Stored texts have byte limits, and list pages stay small whatever is stored."""

from __future__ import annotations

import json

from runtime_kit.service.http.field_limits import (
    MAX_DESCRIPTION_BYTES,
    MAX_SPEC_BYTES,
    PAGE_BYTES,
)
from runtime_kit.service.service import Service
from tests.service.conftest import Api, program_body


def big_spec(size: int) -> dict[str, object]:
    return {"parameters": {"type": "object", "description": "s" * size}}


def test_texts_over_their_limits_are_413_naming_them(admin: Api) -> None:
    cases = [
        ({"description": "é" * (MAX_DESCRIPTION_BYTES // 2 + 1)}, "description is 16386 bytes"),
        ({"spec": big_spec(MAX_SPEC_BYTES)}, "spec (the metadata document) is"),
    ]
    for extra, message in cases:
        response = admin.post("/programs", program_body("big", **extra))
        assert response.status_code == 413, response.text
        assert response.json()["error"]["code"] == "TOO_LARGE"
        assert message in response.json()["error"]["message"]
        assert (
            str(MAX_DESCRIPTION_BYTES if "description" in extra else MAX_SPEC_BYTES)
            in (response.json()["error"]["message"])
        )
    program_id = admin.post("/programs", program_body("small")).json()["id"]
    patched = admin.request(
        "PATCH", f"/programs/{program_id}", {"description": "x" * (MAX_DESCRIPTION_BYTES + 1)}
    )
    assert patched.status_code == 413
    assert admin.get("/programs").json()["count"] == 1


def test_a_label_is_limited_in_bytes_too(admin: Api) -> None:
    program_id = admin.post("/programs", program_body("labels")).json()["id"]
    response = admin.post("/jobs", {"program_id": program_id, "hub": "é" * 200})
    assert response.status_code == 400
    assert "256 bytes in UTF-8" in response.json()["error"]["message"]


def test_a_page_of_programs_stays_within_its_byte_budget(admin: Api, service: Service) -> None:
    per_program = MAX_DESCRIPTION_BYTES + MAX_SPEC_BYTES - 1000
    for number in range(12):
        body = program_body(
            f"p{number}",
            description="d" * MAX_DESCRIPTION_BYTES,
            spec=big_spec(MAX_SPEC_BYTES - 1100),
        )
        assert admin.post("/programs", body).status_code == 200, number
    first = admin.get("/programs")
    page = first.json()
    assert page["count"] == 12
    assert len(page["programs"]) == PAGE_BYTES // per_program
    assert len(first.content) < PAGE_BYTES + 100_000
    listed = []
    while len(listed) < page["count"]:  # as the legacy clients page: by what they got
        page = admin.get(f"/programs?offset={len(listed)}").json()
        assert page["programs"]
        listed += page["programs"]
    assert sorted(p["name"] for p in listed) == sorted(f"p{n}" for n in range(12))


def test_a_page_of_jobs_stays_within_its_byte_budget(admin: Api) -> None:
    program_id = admin.post("/programs", program_body("open", spec={})).json()["id"]
    for _ in range(5):
        response = admin.post("/jobs", {"program_id": program_id, "params": {"x": "p" * 400_000}})
        assert response.status_code == 200
    page = admin.get("/jobs").json()
    assert page["count"] == 5 and len(page["jobs"]) == 2
    assert len(json.dumps(page)) < PAGE_BYTES + 500_000


def test_the_web_view_lists_the_start_of_each_description(admin: Api, service: Service) -> None:
    admin.post("/programs", program_body("long", description="w" * MAX_DESCRIPTION_BYTES))
    client = admin.client
    code = client.post("/ui/sign-in-links", headers=admin.headers).json()["path"]
    page = client.get(code)
    csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
    client.post("/ui/sign-in/link", data={"code": code.split("=")[1], "csrf": csrf})
    listed = client.get("/ui/programs")
    assert listed.status_code == 200
    assert "w" * 300 in listed.text and "w" * 301 not in listed.text
