"""Authorization matrix: every route, role and owner or other.  Nothing leaks: what a caller may
not see is 404, what it may see but not change is 403."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.service.conftest import Api, program_body, source_of

NEW_SOURCE = source_of("def main(backend, user_messenger):\n    return 1\n")


@pytest.fixture
def world(as_role: Callable[[str, str], Api], admin: Api) -> dict[str, object]:
    alice = as_role("uploader", "alice")
    private = alice.post("/programs", program_body("private")).json()["id"]
    public = alice.post("/programs", program_body("public", is_public=True)).json()["id"]
    job = alice.post(
        "/jobs", {"program_id": private, "params": {"iterations": 1, "shots": 4}}
    ).json()["id"]
    alice.wait_final(job)
    return {
        "actors": {
            "owner": alice,
            "admin": admin,
            "other uploader": as_role("uploader", "bob"),
            "other user": as_role("user", "carol"),
        },
        "private": private,
        "public": public,
        "job": job,
    }


# (method, path template, body) -> expected status per actor
ROUTES = [
    (
        "GET",
        "/programs/{private}",
        None,
        {"owner": 200, "admin": 200, "other uploader": 404, "other user": 404},
    ),
    (
        "GET",
        "/programs/{public}",
        None,
        {"owner": 200, "admin": 200, "other uploader": 200, "other user": 200},
    ),
    (
        "PATCH",
        "/programs/{private}",
        {"description": "x"},
        {"owner": 204, "admin": 204, "other uploader": 404, "other user": 404},
    ),
    (
        "PATCH",
        "/programs/{public}",
        {"description": "x"},
        {"owner": 204, "admin": 204, "other uploader": 403, "other user": 403},
    ),
    (
        "PUT",
        "/programs/{private}/data",
        "RAW",
        {"owner": 204, "admin": 204, "other uploader": 404, "other user": 404},
    ),
    (
        "PUT",
        "/programs/{public}/data",
        "RAW",
        {"owner": 204, "admin": 204, "other uploader": 403, "other user": 403},
    ),
    (
        "PUT",
        "/programs/{private}/private",
        None,
        {"owner": 204, "admin": 204, "other uploader": 404, "other user": 404},
    ),
    (
        "PUT",
        "/programs/{public}/public",
        None,
        {"owner": 204, "admin": 204, "other uploader": 403, "other user": 403},
    ),
    (
        "POST",
        "/programs",
        "NEW",
        {"owner": 200, "admin": 200, "other uploader": 200, "other user": 403},
    ),
    (
        "POST",
        "/jobs",
        {"program_id": "{private}", "params": {"iterations": 1}},
        {"owner": 200, "admin": 200, "other uploader": 404, "other user": 404},
    ),
    (
        "POST",
        "/jobs",
        {"program_id": "{public}", "params": {"iterations": 1}},
        {"owner": 200, "admin": 200, "other uploader": 200, "other user": 200},
    ),
    (
        "GET",
        "/jobs/{job}",
        None,
        {"owner": 200, "admin": 200, "other uploader": 404, "other user": 404},
    ),
    (
        "GET",
        "/jobs/{job}/results",
        None,
        {"owner": 200, "admin": 200, "other uploader": 404, "other user": 404},
    ),
    (
        "GET",
        "/jobs/{job}/logs",
        None,
        {"owner": 200, "admin": 200, "other uploader": 404, "other user": 404},
    ),
    (
        "GET",
        "/jobs/{job}/interim_results",
        None,
        {"owner": 200, "admin": 200, "other uploader": 404, "other user": 404},
    ),
    (
        "POST",
        "/jobs/{job}/cancel",
        None,
        {"owner": 409, "admin": 409, "other uploader": 404, "other user": 404},
    ),
    (
        "GET",
        "/tokens",
        None,
        {"owner": 403, "admin": 200, "other uploader": 403, "other user": 403},
    ),
    (
        "POST",
        "/tokens",
        {"name": "x", "role": "user"},
        {"owner": 403, "admin": 200, "other uploader": 403, "other user": 403},
    ),
    (
        "DELETE",
        "/tokens/tok_nope",
        None,
        {"owner": 403, "admin": 404, "other uploader": 403, "other user": 403},
    ),
    ("DELETE", "/jobs/{job}", None, {"other uploader": 404, "other user": 404, "owner": 204}),
    (
        "DELETE",
        "/programs/{public}",
        None,
        {"other uploader": 403, "other user": 403, "owner": 204},
    ),
    (
        "DELETE",
        "/programs/{private}",
        None,
        {"other uploader": 404, "other user": 404, "admin": 204},
    ),
]


def _fill(value: object, world: dict[str, object]) -> object:
    if isinstance(value, str):
        return value.format(**{k: v for k, v in world.items() if isinstance(v, str)})
    if isinstance(value, dict):
        return {k: _fill(v, world) for k, v in value.items()}
    return value


def test_every_route_for_every_role(world: dict[str, object]) -> None:
    actors: dict[str, Api] = world["actors"]  # type: ignore[assignment]
    failures = []
    counter = iter(range(1000))
    for method, template, body, expected in ROUTES:
        path = _fill(template, world)
        for actor, status in expected.items():
            api = actors[actor]
            if body == "RAW":
                response = api.client.request(method, path, content=NEW_SOURCE, headers=api.headers)
            elif body == "NEW":
                response = api.request(method, path, program_body(f"new{next(counter)}"))
            else:
                response = api.request(method, path, _fill(body, world))
            if response.status_code != status:
                failures.append(
                    f"{method} {path} as {actor}: {response.status_code}, want {status}"
                )
    assert failures == []


def test_listings_show_only_what_each_may_see(world: dict[str, object]) -> None:
    actors: dict[str, Api] = world["actors"]  # type: ignore[assignment]
    names = {
        actor: sorted(p["name"] for p in api.get("/programs").json()["programs"])
        for actor, api in actors.items()
    }
    assert names == {
        "owner": ["private", "public"],
        "admin": ["private", "public"],
        "other uploader": ["public"],
        "other user": ["public"],
    }
    jobs = {actor: api.get("/jobs").json()["count"] for actor, api in actors.items()}
    assert jobs == {"owner": 1, "admin": 1, "other uploader": 0, "other user": 0}


def test_source_goes_only_to_the_owner_and_admins(world: dict[str, object]) -> None:
    actors: dict[str, Api] = world["actors"]  # type: ignore[assignment]
    public = world["public"]
    has_data = {
        actor: "data" in api.get(f"/programs/{public}").json() for actor, api in actors.items()
    }
    assert has_data == {"owner": True, "admin": True, "other uploader": False, "other user": False}
