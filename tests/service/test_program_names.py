"""A program's name where its id is expected (in 2021 an id was the name: the qce21 tutorial
uploads ``ieee-runtime-tutorial``, then runs and deletes that id): the caller's own program of
that name, else the only other one it may see; 404 if none, 409 naming the ids if several."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from runtime_kit.client.http import ServiceHttp
from runtime_kit.client.programs import ProgramCatalog
from runtime_kit.errors import AmbiguousProgramError
from runtime_kit.service.service import Service
from tests.service.conftest import Api, program_body, source_of

SOURCE = 'def main(backend, user_messenger, **kwargs):\n    return "{}"\n'


def upload(api: Api, name: str, says: str, *, public: bool = False) -> str:
    body = program_body(name, SOURCE.format(says), is_public=public, spec={})
    response = api.post("/programs", body)
    assert response.status_code == 200, response.text
    return str(response.json()["id"])


def run(api: Api, program: str) -> dict:
    response = api.post("/jobs", {"program_id": program, "params": {}})
    assert response.status_code == 200, response.text
    return api.wait_final(response.json()["id"])


def test_the_own_program_of_a_name_serves_every_route(as_role: Callable[[str, str], Api]) -> None:
    alice = as_role("uploader", "alice")
    program_id = upload(alice, "ieee-runtime-tutorial", "first")
    assert program_id != "ieee-runtime-tutorial"
    shown = alice.get("/programs/ieee-runtime-tutorial").json()
    assert (shown["id"], shown["data"]) == (program_id, SOURCE.format("first"))
    job = run(alice, "ieee-runtime-tutorial")
    assert job["program"] == {"id": program_id} and job["status"] == "COMPLETED"
    assert alice.get(f"/jobs/{job['id']}/results").text == '"first"'
    new_data = source_of(SOURCE.format("second"))
    put = alice.client.put(
        "/programs/ieee-runtime-tutorial/data", content=new_data, headers=alice.headers
    )
    assert put.status_code == 204
    patched = alice.request("PATCH", "/programs/ieee-runtime-tutorial", {"description": "new"})
    assert patched.status_code == 204
    public = alice.client.put("/programs/ieee-runtime-tutorial/public", headers=alice.headers)
    assert public.status_code == 204
    shown = alice.get(f"/programs/{program_id}").json()
    assert (shown["description"], shown["is_public"]) == ("new", True)
    assert shown["data"] == SOURCE.format("second")
    listed = alice.get("/jobs", params={"program": "ieee-runtime-tutorial"}).json()
    assert [j["id"] for j in listed["jobs"]] == [job["id"]]
    assert alice.request("DELETE", "/programs/ieee-runtime-tutorial").status_code == 204
    assert alice.get(f"/programs/{program_id}").status_code == 404
    assert alice.get("/programs/ieee-runtime-tutorial").status_code == 404
    # the jobs of a deleted program are still listed by its id
    assert alice.get("/jobs", params={"program": program_id}).json()["count"] == 1


def test_own_first_then_the_only_public_one(as_role: Callable[[str, str], Api]) -> None:
    alice, bob, carol = (as_role("uploader", name) for name in ("alice", "bob", "carol"))
    bobs = upload(bob, "sample-expval", "bob's", public=True)
    upload(carol, "sample-expval", "carol's private")  # not visible to alice
    assert alice.get("/programs/sample-expval").json()["id"] == bobs
    assert run(alice, "sample-expval")["program"] == {"id": bobs}
    alices = upload(alice, "sample-expval", "alice's")
    assert alice.get("/programs/sample-expval").json()["id"] == alices
    assert run(alice, "sample-expval")["program"] == {"id": alices}
    # only an owner changes a program: bob's public one by name is still his
    assert carol.request("DELETE", "/programs/sample-expval").status_code == 204
    assert bob.get("/programs/sample-expval").json()["id"] == bobs


def test_several_public_ones_of_a_name_are_409_naming_them(
    as_role: Callable[[str, str], Api],
) -> None:
    alice, bob, carol = (as_role("uploader", name) for name in ("alice", "bob", "carol"))
    ids = [upload(owner, "vqe-demo", "x", public=True) for owner in (bob, carol)]
    for response in (
        alice.get("/programs/vqe-demo"),
        alice.post("/jobs", {"program_id": "vqe-demo", "params": {}}),
        alice.get("/jobs", params={"program": "vqe-demo"}),
    ):
        assert response.status_code == 409, response.text
        error = response.json()["error"]
        assert error["code"] == "AMBIGUOUS_PROGRAM_NAME" and error["program_ids"] == ids
        assert error["message"] == (
            f"program name 'vqe-demo' is ambiguous: {ids[0]}, {ids[1]} have it; "
            "give one of these ids"
        )
    assert alice.get("/jobs").json()["count"] == 0
    # each owner has its own: no ambiguity for them
    assert bob.get("/programs/vqe-demo").json()["id"] == ids[0]


def test_a_name_nobody_visible_has_is_404(as_role: Callable[[str, str], Api]) -> None:
    alice, bob = as_role("uploader", "alice"), as_role("uploader", "bob")
    upload(bob, "secret", "x")
    for response in (
        alice.get("/programs/secret"),
        alice.post("/jobs", {"program_id": "secret", "params": {}}),
        alice.request("DELETE", "/programs/secret"),
    ):
        assert response.status_code == 404 and "program not found: secret" in response.text
    assert alice.get("/jobs", params={"program": "secret"}).json()["count"] == 0


def test_an_admin_sees_its_own_then_public_then_the_others(
    as_role: Callable[[str, str], Api], admin: Api
) -> None:
    bob, carol = as_role("uploader", "bob"), as_role("uploader", "carol")
    bobs = upload(bob, "tool", "b")
    assert admin.get("/programs/tool").json()["id"] == bobs  # the only one
    carols = upload(carol, "tool", "c")
    response = admin.get("/programs/tool")
    assert response.status_code == 409 and response.json()["error"]["program_ids"] == [
        bobs,
        carols,
    ]
    public = upload(carol, "tool2", "p", public=True)
    upload(bob, "tool2", "private")
    assert admin.get("/programs/tool2").json()["id"] == public
    admins = upload(admin, "tool", "a")
    assert admin.get("/programs/tool").json()["id"] == admins


def test_the_sdk_raises_ambiguous_program_error_with_the_ids(
    service: Service, as_role: Callable[[str, str], Api]
) -> None:
    bob, carol = as_role("uploader", "bob"), as_role("uploader", "carol")
    ids = [upload(owner, "shared", "x", public=True) for owner in (bob, carol)]
    _, token = service.tokens.create("dave", "user")
    http = ServiceHttp("http://testserver", token, transport=bob.client._transport)
    try:
        catalog = ProgramCatalog(http)
        with pytest.raises(AmbiguousProgramError, match="is ambiguous") as raised:
            catalog.get("shared")
        assert raised.value.program_ids == ids
        with pytest.raises(AmbiguousProgramError):
            catalog.find("shared")
    finally:
        http.close()
