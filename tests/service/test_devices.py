"""Device snapshots on a service: listed and described as IBM's API served them (from the
snapshot files, built once per backend and then served from memory), and jobs run on them in
the sandboxed workers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from runtime_kit.backends.snapshots.files import configuration_of, properties_of
from runtime_kit.backends.snapshots.provider import find_snapshot
from runtime_kit.errors import ConfigurationError
from runtime_kit.service.service import Service
from tests.service.conftest import Api, program_body
from tests.service.test_hostile_jobs import _sandbox_usable, job_start_usable

PROJECT = "/api/Network/ibm-q/Groups/open/Projects/main"
GHZ_PROGRAM = """
from qiskit import QuantumCircuit, transpile

def main(backend, user_messenger, **kwargs):
    circuit = QuantumCircuit(3)
    circuit.h(0)
    circuit.cx(0, 1)
    circuit.cx(1, 2)
    circuit.measure_all()
    if kwargs.get("as_is"):
        return backend.run(circuit).result().get_counts()
    runnable = transpile(circuit, backend)
    config = backend.configuration()
    return {"counts": backend.run(runnable, shots=500).result().get_counts(),
            "name": backend.name(), "simulator": config.simulator,
            "t1": backend.properties().t1(0)}
"""


def snapshot(name: str) -> Any:
    found = find_snapshot(name)
    assert found is not None
    return found


def test_a_device_is_described_as_ibm_served_it(admin: Api) -> None:
    served = admin.get("/backends/ibmq_montreal/configuration").json()
    expected = configuration_of(snapshot("ibmq_montreal"))
    changed = {key for key in expected if served[key] != expected[key]}
    assert changed == {"open_pulse"}  # circuits only: the snapshots hold no pulse defaults
    assert served["simulator"] is False and served["open_pulse"] is False
    properties = admin.get(f"{PROJECT}/devices/ibmq_montreal/properties").json()
    assert properties == properties_of(snapshot("ibmq_montreal"))
    alias = admin.get("/backends/fake_montreal/properties").json()
    assert alias["backend_name"] == "fake_montreal" and alias["qubits"] == properties["qubits"]
    assert admin.get("/backends/ibmq_montreal/defaults").json() == {}
    assert admin.get("/backends/ibmq_montreal/status").json()["status"] == "active"
    assert admin.get("/backends/ibmq_nowhere/properties").status_code == 404


def test_documents_are_built_once_and_served_from_memory(service: Service, admin: Api) -> None:
    spec = service.backends.resolve("noisy-127")
    first = service.backends.properties("noisy-127", spec)
    assert service.backends.properties("noisy-127", spec) is first
    answer = admin.get("/backends/noisy-127/properties")
    assert answer.content == first and answer.headers["content-type"] == "application/json"
    listed = admin.get(f"{PROJECT}/devices/v/1").json()
    assert {"ibm_sherbrooke", "ibmq_manila"} <= {c["backend_name"] for c in listed}


def test_a_job_runs_on_a_device_snapshot(admin: Api) -> None:
    program_id = admin.post("/programs", program_body("ghz", GHZ_PROGRAM, spec={})).json()["id"]
    job = admin.post("/jobs", {"program_id": program_id, "backend": "ibmq_manila"}).json()
    assert job["backend"] == "ibmq_manila"
    ended = admin.wait_final(job["id"], timeout=180)
    assert ended["status"] == "COMPLETED", admin.get(f"/jobs/{job['id']}/logs").text
    result = admin.get(f"/jobs/{job['id']}/results").json()
    assert sum(result["counts"].values()) == 500 and len(result["counts"]) > 2  # noise
    assert (result["name"], result["simulator"]) == ("ibmq_manila", False)
    assert 1e-6 < result["t1"] < 1e-2


def test_a_circuit_the_device_cannot_run_fails_the_job(admin: Api) -> None:
    program_id = admin.post("/programs", program_body("ghz", GHZ_PROGRAM, spec={})).json()["id"]
    body = {"program_id": program_id, "backend": "fake_manila", "params": {"as_is": True}}
    job = admin.post("/jobs", body).json()
    ended = admin.wait_final(job["id"], timeout=180)
    assert ended["status"] == "FAILED"
    result = admin.get(f"/jobs/{job['id']}/results").text
    assert "CircuitNotRunnableError: circuit 0" in result and "h is not an instruction" in result


PREPARED_PROBE = """
import sys

def main(backend, user_messenger, **kwargs):
    devices = sys.modules.get("runtime_kit.backends.snapshots.device")
    return {"backend": backend.name(),
            "prepared": sorted(devices._devices) if devices else [],
            "noise_code": "qiskit_aer.noise" in sys.modules and "scipy.linalg" in sys.modules,
            "transpiler_plugins_deferred": "qiskit_ibm_runtime" not in sys.modules}
"""


@pytest.mark.service
@pytest.mark.parametrize("job_start", ["exec", "fork"])
def test_workers_prepare_the_backends_they_are_told_to(tmp_path: Path, job_start: str) -> None:
    """On the fork path the template prepares them once (its workers are told of none)."""
    unusable = job_start_usable(job_start) or _sandbox_usable(tmp_path / "probe")
    if job_start == "fork" and unusable:
        pytest.skip(f"jobs cannot be forked here: {unusable}")
    service = Service(
        tmp_path / "data", admin_token="admin-secret", builtin_programs=False,
        prepare_backends=("fake_manila",), executor_settings={"job_start": job_start},
    )  # fmt: skip
    service.start()
    try:
        assert service.health()["prepared_backends"] == ["ibmq_manila"]
        assert service.health()["job_start"]["path"] == job_start
        with TestClient(service.app()) as client:
            admin = Api(client, "admin-secret")
            body = program_body("probe", PREPARED_PROBE, spec={})
            program_id = admin.post("/programs", body).json()["id"]
            job = admin.post("/jobs", {"program_id": program_id}).json()  # on aer_simulator
            assert admin.wait_final(job["id"], timeout=180)["status"] == "COMPLETED"
            result = admin.get(f"/jobs/{job['id']}/results").json()
    finally:
        service.stop()
    assert result == {"backend": "aer_simulator", "prepared": ["ibmq_manila"], "noise_code": True,
                      "transpiler_plugins_deferred": True}  # fmt: skip


def test_a_backend_to_prepare_must_be_offered(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="--prepare-backends: unknown backend 'ibm_no'"):
        Service(tmp_path / "data", admin_token="admin-secret", prepare_backends=("ibm_no",))


def test_a_new_worker_prepares_the_device_the_last_job_ran_on(admin: Api) -> None:
    """With no --prepare-backends, the worker after a job on a device has the device ready."""
    ghz = admin.post("/programs", program_body("ghz", GHZ_PROGRAM, spec={})).json()["id"]
    probe = admin.post("/programs", program_body("probe", PREPARED_PROBE, spec={})).json()["id"]
    first = admin.post("/jobs", {"program_id": ghz, "backend": "ibmq_manila"}).json()
    assert admin.wait_final(first["id"], timeout=180)["status"] == "COMPLETED"
    prepared: list[Any] = []
    # Two workers were warm before the job, the third has the device (on the fork path,
    # warmed after the start, the job may have come before the pool was full: a fourth).
    while len(prepared) < 3 and ["ibmq_manila"] not in prepared:
        job = admin.post("/jobs", {"program_id": probe}).json()
        assert admin.wait_final(job["id"], timeout=180)["status"] == "COMPLETED"
        prepared.append(admin.get(f"/jobs/{job['id']}/results").json()["prepared"])
    assert ["ibmq_manila"] in prepared
