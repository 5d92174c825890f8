"""Quotas per token, through the one admission gate: jobs queued or running, bytes stored;
and the usage the store keeps for them, equal to what is stored whatever path wrote it."""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from runtime_kit.service.core.quotas import Quotas
from runtime_kit.service.core.store import Store
from runtime_kit.service.service import Service
from tests.service.conftest import Api, program_body, source_of
from tests.service.test_migrations import FIXTURE

SLEEPER = "import time\n\ndef main(backend, user_messenger, seconds=30):\n    time.sleep(seconds)\n"
MIB = 1024 * 1024


def stored_by_owner(store: Store) -> Counter[str]:
    """What each owner stores, summed from the rows and blob files themselves."""
    found: Counter[str] = Counter()

    def size(text: str | None) -> int:
        return len(text.encode()) if text else 0

    for row in store.query("SELECT owner, params, result, logs FROM jobs"):
        found[row["owner"]] += size(row["params"]) + size(row["result"]) + size(row["logs"])
    for row in store.query("SELECT j.owner, i.text FROM interim i JOIN jobs j ON j.id = i.job_id"):
        found[row["owner"]] += size(row["text"])
    for row in store.query("SELECT owner, qobj FROM circuit_uploads"):
        found[row["owner"]] += size(row["qobj"])
    for row in store.query("SELECT owner, description FROM programs"):
        found[row["owner"]] += size(row["description"])
    versions = store.query(
        "SELECT p.owner, v.spec, v.data_digest FROM program_versions v "
        "JOIN programs p ON p.id = v.program_id"
    )
    for row in versions:
        found[row["owner"]] += (
            size(row["spec"]) + store.blob_path(row["data_digest"]).stat().st_size
        )
    return found


def usage_rows(store: Store) -> Counter[str]:
    return Counter(
        {row["owner"]: row["bytes"] for row in store.query("SELECT owner, bytes FROM usage")}
    )


def test_usage_follows_every_write(admin: Api, as_role: object, service: Service) -> None:
    alice = as_role("uploader", "alice")  # type: ignore[operator]
    program_id = alice.post("/programs", program_body("p", spec={})).json()["id"]
    job_id = alice.post("/jobs", {"program_id": program_id, "params": {"x": "é" * 100}}).json()[
        "id"
    ]
    alice.wait_final(job_id)
    new_version = {"data": source_of("def main(backend, user_messenger):\n    return 2\n")}
    assert (
        alice.request(
            "PATCH", f"/programs/{program_id}", {**new_version, "version": "2"}
        ).status_code
        == 204
    )
    assert (
        alice.request(
            "PATCH", f"/programs/{program_id}", {"description": "longer " * 100}
        ).status_code
        == 204
    )
    data = source_of("def main(backend, user_messenger):\n    return 'replaced' * 10\n")
    assert (
        alice.client.put(
            f"/programs/{program_id}/data", content=data, headers=alice.headers
        ).status_code
        == 204
    )
    assert usage_rows(service.store) - Counter() == stored_by_owner(service.store) - Counter()
    assert alice.request("DELETE", f"/jobs/{job_id}").status_code == 204
    assert alice.request("DELETE", f"/programs/{program_id}").status_code == 204
    alice_id = next(t["id"] for t in service.tokens.list() if t["name"] == "alice")
    assert usage_rows(service.store)[alice_id] == 0
    assert usage_rows(service.store) - Counter() == stored_by_owner(service.store) - Counter()


def test_an_upgraded_data_directory_counts_what_it_stored(tmp_path: Path) -> None:
    target = tmp_path / "data"
    target.mkdir()
    shutil.copy(FIXTURE / "runtime-kit.sqlite3", target)
    shutil.copytree(FIXTURE / "blobs", target / "blobs")
    store = Store(target)
    try:
        counted = usage_rows(store)
        assert sum(counted.values()) > 0
        assert counted - Counter() == stored_by_owner(store) - Counter()
    finally:
        store.close()


@pytest.fixture
def quoted(tmp_path: Path) -> Iterator[tuple[Service, TestClient]]:
    quotas = Quotas(
        requests_per_s=1e6, requests_at_once=1000, expensive_per_min=1e6,
        max_jobs=2, max_running=1, max_stored_mib=1,
    )  # fmt: skip
    service = Service(
        tmp_path / "data", workers=2, admin_token="admin-secret", builtin_programs=False,
        quotas=quotas,
    )  # fmt: skip
    service.start()
    try:
        with TestClient(service.app()) as client:
            yield service, client
    finally:
        service.stop()


def user(service: Service, client: TestClient, name: str) -> Api:
    _, token = service.tokens.create(name, "uploader")
    return Api(client, token)


@pytest.mark.service
def test_queued_and_running_jobs_are_limited_per_token(
    quoted: tuple[Service, TestClient],
) -> None:
    service, client = quoted
    mallory = user(service, client, "mallory")
    program_id = mallory.post("/programs", program_body("sleep", source=SLEEPER, spec={})).json()[
        "id"
    ]
    jobs = [mallory.post("/jobs", {"program_id": program_id}) for _ in range(3)]
    assert [job.status_code for job in jobs] == [200, 200, 429]
    assert jobs[2].json()["error"] == {
        "message": "quota reached: 2 queued or running jobs per token (2 now); "
        "wait for some to end",
        "code": "QUOTA_EXCEEDED",
        "status": 429,
    }
    admin = Api(client, "admin-secret")
    assert admin.post("/jobs", {"program_id": program_id}).status_code == 200  # exempt
    health = client.get("/health").json()["quotas"]
    assert (health["max_jobs"], health["max_running"], health["max_stored_mib"]) == (2, 1, 1)
    for job in (*jobs[:2],):
        mallory.post(f"/jobs/{job.json()['id']}/cancel")


@pytest.mark.service
def test_stored_bytes_are_limited_per_token(quoted: tuple[Service, TestClient]) -> None:
    service, client = quoted
    mallory = user(service, client, "mallory")
    program_id = mallory.post("/programs", program_body("open", spec={})).json()["id"]
    params = {"program_id": program_id, "params": {"x": "p" * MIB}}
    refused = mallory.post("/jobs", params)
    assert refused.status_code == 413, refused.text
    message = refused.json()["error"]["message"]
    assert message.startswith(
        "quota reached: 1 MiB stored per token (programs, params, interim results, logs, results); "
    ), message
    assert refused.json()["error"]["code"] == "QUOTA_EXCEEDED"
    big = program_body("big", source="def main(backend, user_messenger):\n    pass\n# " + "x" * MIB)
    assert mallory.post("/programs", big).status_code == 413
    assert mallory.get("/jobs").json()["count"] == 0
    assert [p["name"] for p in mallory.get("/programs").json()["programs"]] == ["open"]


@pytest.mark.service
def test_interim_results_over_the_stored_quota_fail_the_job(
    quoted: tuple[Service, TestClient],
) -> None:
    service, client = quoted
    mallory = user(service, client, "mallory")
    source = (
        "def main(backend, user_messenger):\n"
        "    for n in range(40):\n"
        "        user_messenger.publish('x' * 100_000)\n"
    )
    program_id = mallory.post("/programs", program_body("flood", source=source, spec={})).json()[
        "id"
    ]
    job_id = mallory.post("/jobs", {"program_id": program_id}).json()["id"]
    job = mallory.wait_final(job_id)
    assert job["status"] == "FAILED"
    assert job["state"]["reason"] == (
        "quota reached: 1 MiB stored per token (programs, params, interim results, logs, results)"
    )
    assert len(mallory.get(f"/jobs/{job_id}/interim_results").json()) < 11
