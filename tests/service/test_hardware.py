"""IBM Quantum hardware on a service, offline: the ``ibm-quantum`` provider on
qiskit-ibm-runtime's local testing mode.  The account is opened in the service process;
jobs, sandboxed as always, reach its devices through the service's broker, their IBM jobs
are recorded with them, and cancelling a job cancels what it left running."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from runtime_kit.backends import registry
from runtime_kit.backends.ibm_quantum.credentials import Credentials
from runtime_kit.errors import ConfigurationError
from runtime_kit.service.core.events import EventLog
from runtime_kit.service.service import Service
from tests.service.conftest import Api, program_body

LOCAL = Credentials(channel="local", source="tests")
PROGRAM = """
from qiskit import QuantumCircuit

def main(backend, user_messenger, shots=100, wait=True):
    circuit = QuantumCircuit(3, name="ghz")
    circuit.h(0)
    circuit.cx(0, 1)
    circuit.cx(1, 2)
    circuit.measure_all()
    job = backend.run(circuit, shots=shots)
    return job.result().get_counts() if wait else job.job_id()
"""


@pytest.fixture
def hardware(tmp_path: Path) -> Iterator[tuple[Service, Api, io.StringIO]]:
    log = io.StringIO()
    loaded = dict(registry._loaded)
    service = Service(
        tmp_path / "data", admin_token="admin-secret", builtin_programs=False,
        backend_providers=("ibm-quantum",), ibm_quantum_credentials=LOCAL,
        log=EventLog("plain", stream=log),
    )  # fmt: skip
    service.start()
    try:
        with TestClient(service.app()) as client:
            yield service, Api(client, "admin-secret"), log
    finally:
        service.stop()
        registry._loaded.clear()
        registry._loaded.update(loaded)


def upload(api: Api) -> str:
    program_id: str = api.post("/programs", program_body("ghz", PROGRAM, spec={})).json()["id"]
    return program_id


@pytest.mark.service
def test_a_job_runs_on_the_accounts_device_and_keeps_its_ibm_jobs(hardware: Any) -> None:
    service, api, _ = hardware
    assert service.health()["backend_providers"] == ["ibm-quantum", "simulators", "snapshots"]
    devices = api.get("/backends").json()["devices"]
    assert devices[0] == "fake_aachen" and "aer_simulator" in devices
    served = api.get("/backends/fake_manila/configuration").json()
    assert (served["backend_name"], served["n_qubits"]) == ("fake_manila", 5)
    job = api.post("/jobs", {"program_id": upload(api), "backend": "fake_manila"}).json()
    ended = api.wait_final(job["id"], timeout=300)
    assert ended["status"] == "COMPLETED", api.get(f"/jobs/{job['id']}/logs").text
    counts = api.get(f"/jobs/{job['id']}/results").json()
    assert sum(counts.values()) == 100 and counts.get("000", 0) + counts.get("111", 0) > 70
    (made,) = ended["external_jobs"]
    assert (made["provider"], made["backend"]) == ("ibm-quantum", "fake_manila")
    logs = api.get(f"/jobs/{job['id']}/logs").text
    assert f"runtime-kit: IBM Quantum job {made['id']} on fake_manila" in logs
    assert "external_jobs" not in api.get("/jobs").json()["jobs"][0]


@pytest.mark.service
def test_cancelling_a_job_cancels_its_ibm_job(hardware: Any) -> None:
    _, api, log = hardware
    body = {"program_id": upload(api), "backend": "fake_sherbrooke",
            "params": {"shots": 20000}}  # fmt: skip
    job = api.post("/jobs", body).json()
    deadline = time.monotonic() + 300
    while not api.get(f"/jobs/{job['id']}").json().get("external_jobs"):
        assert time.monotonic() < deadline, api.get(f"/jobs/{job['id']}/logs").text
        time.sleep(0.1)
    (made,) = api.get(f"/jobs/{job['id']}").json()["external_jobs"]
    assert api.post(f"/jobs/{job['id']}/cancel").status_code == 204
    assert api.wait_final(job["id"], timeout=120)["status"] == "CANCELLED"
    deadline = time.monotonic() + 60
    while f"IBM job {made['id']} cancelled" not in log.getvalue():
        assert time.monotonic() < deadline, log.getvalue()
        time.sleep(0.1)


def test_the_hardware_provider_needs_credentials_and_the_local_executor(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="needs IBM Quantum credentials"):
        Service(tmp_path / "a", admin_token="admin-secret", backend_providers=("ibm-quantum",))
    with pytest.raises(ConfigurationError, match="needs --executor local"):
        Service(tmp_path / "b", admin_token="admin-secret", backend_providers=("ibm-quantum",),
                ibm_quantum_credentials=LOCAL, executor="ray")  # fmt: skip


PROBE = """
from runtime_kit.harness import broker_client

def main(backend, user_messenger):
    try:
        broker_client.request("describe")
    except broker_client.BrokerRequestError as exc:
        return str(exc)
    return "reached the broker"
"""


@pytest.mark.service
def test_a_job_on_another_backend_cannot_reach_the_broker(hardware: Any) -> None:
    _, api, _ = hardware
    program_id = api.post("/programs", program_body("probe", PROBE, spec={})).json()["id"]
    job = api.post("/jobs", {"program_id": program_id, "backend": "aer_simulator"}).json()
    assert api.wait_final(job["id"], timeout=120)["status"] == "COMPLETED"
    answer = api.get(f"/jobs/{job['id']}/results").json()
    assert answer.startswith("describe: no broker answers this job")


@pytest.mark.service
def test_serve_with_the_hardware_provider_and_the_jobs_commands(tmp_path: Path) -> None:
    import json
    import os
    import subprocess
    import sys

    from tests.service.real_server import RealServer

    credentials = tmp_path / "ibm.toml"
    credentials.write_text('channel = "local"\n')
    server = RealServer(
        tmp_path / "data", "--no-builtin-programs", "--backend-provider", "ibm-quantum",
        "--ibm-quantum-credentials", str(credentials),
    ).start()  # fmt: skip
    runtime_kit = str(Path(sys.executable).with_name("runtime-kit"))
    env = {**os.environ, "RUNTIME_KIT_URL": server.url, "RUNTIME_KIT_TOKEN": server.token}
    try:
        with server.http() as http:
            program_id = http.post("/programs", json=program_body("ghz", PROGRAM, spec={})).json()
        submitted = subprocess.run(
            [runtime_kit, "jobs", "submit", program_id["id"], "--backend", "fake_manila",
             "--follow", "--json"],
            env=env, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        assert submitted.returncode == 0, submitted.stderr
        job_id = json.loads(submitted.stdout.strip().splitlines()[0])["id"]
        shown = subprocess.run(
            [runtime_kit, "jobs", "show", job_id], env=env, capture_output=True, text=True,
            timeout=120, check=True,
        )  # fmt: skip
        assert "backend: fake_manila" in shown.stdout
        assert "ibm-quantum job: " in shown.stdout and " on fake_manila (" in shown.stdout
    finally:
        stderr = server.stop()
    assert "IBM Quantum (local): fake_aachen, " in stderr
