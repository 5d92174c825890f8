"""Services for the tests: in-process (TestClient) and real ones (``runtime-kit serve``)."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from runtime_kit.service.core.quotas import Quotas
from runtime_kit.service.service import Service
from tests.conftest import ROOT
from tests.service.real_server import RealServer

HELLO = ROOT / "examples" / "hello"
UNLIMITED_QUOTAS = Quotas(requests_per_s=1e6, requests_at_once=1000, expensive_per_min=1e6)
START_TIMEOUT_S = 60


def source_of(program: str) -> str:
    return base64.b64encode(program.encode()).decode()


def program_body(name: str = "hello", source: str | None = None, **extra: Any) -> dict[str, Any]:
    metadata = json.loads((HELLO / "metadata.json").read_text())
    return {
        "name": name,
        "data": source_of(source or (HELLO / "program.py").read_text()),
        "cost": 60,
        "description": "test program",
        "spec": metadata["spec"],
        **extra,
    }


class Api:
    """A TestClient bound to one token: ``api.post("/programs", body)``."""

    def __init__(self, client: TestClient, token: str) -> None:
        self.client = client
        self.headers = {"X-Access-Token": token}

    def request(self, method: str, path: str, body: Any = None, **kwargs: Any) -> httpx.Response:
        content = json.dumps(body) if body is not None else None
        return self.client.request(method, path, content=content, headers=self.headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, body: Any = None) -> httpx.Response:
        return self.request("POST", path, body)

    def wait_final(self, job_id: str, timeout: float = 60) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job = self.get(f"/jobs/{job_id}").json()
            if job["status"] not in ("QUEUED", "RUNNING"):
                return job
            time.sleep(0.05)
        raise AssertionError(f"job {job_id} did not end within {timeout} s")


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Service]:
    # Without the built-in programs: these tests count and clean up programs of their own.
    # Quotas out of reach: these tests call routes as fast as they can (quota tests set
    # their own).
    running = Service(
        tmp_path / "data",
        workers=2,
        admin_token="admin-secret",
        builtin_programs=False,
        quotas=UNLIMITED_QUOTAS,
    )
    running.start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def client(service: Service) -> Iterator[TestClient]:
    with TestClient(service.app()) as test_client:
        yield test_client


@pytest.fixture
def as_role(service: Service, client: TestClient) -> Callable[[str, str], Api]:
    """``as_role("uploader", "alice")``: an Api with a new token of that role."""

    def make(role: str, name: str = "someone") -> Api:
        _, token = service.tokens.create(name, role)
        return Api(client, token)

    return make


@pytest.fixture
def admin(client: TestClient) -> Api:
    return Api(client, "admin-secret")


@pytest.fixture
def real_server(tmp_path: Path) -> Iterator[RealServer]:
    server = RealServer(tmp_path / "data", "--no-builtin-programs").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def ray_cluster() -> Iterator[Any]:
    """One local Ray cluster for the whole session (Ray takes ~8 s to start), on loopback,
    with token authentication on; the drivers started meanwhile (``runtime-kit serve``)
    inherit its token and loopback setting from this process's environment."""
    from runtime_kit.service.executors import EXECUTORS, RAY_INSTALL_HINT

    if "ray" not in EXECUTORS:
        pytest.skip(f"Ray is not installed ({RAY_INSTALL_HINT}; make test installs it)")
    from tests.service.ray_cluster import LocalRayCluster

    cluster = LocalRayCluster().start()
    try:
        with pytest.MonkeyPatch.context() as patch:
            for name, value in cluster.env.items():
                patch.setenv(name, value)
            yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def ray_serve_args(ray_cluster: Any) -> list[str]:
    """``serve`` arguments that select the ray executor on the session's test cluster."""
    return ["--executor", "ray", "--ray-address", ray_cluster.address, "--ray-memory-mib", "1024"]


@pytest.fixture(scope="module", params=["local-fork", "local-exec", "ray"])
def executor_args(request: pytest.FixtureRequest) -> list[str]:
    """``serve`` arguments for each executor of the contract: the local executor on each of
    its job starts (a job forked from a warm template, a fresh process per job), and Ray."""
    if request.param.startswith("local"):
        return ["--executor", "local", "--job-start", request.param.removeprefix("local-")]
    return request.getfixturevalue("ray_serve_args")
