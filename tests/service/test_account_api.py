"""The account routes legacy clients call before the runtime API, and the backends they list
(in-process; tests/interop/test_legacy_examples.py drives them with qiskit-ibmq-provider)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from runtime_kit.backends.simulator_documents import simulator_qubits
from runtime_kit.backends.simulators import LISTED, readout_errors
from runtime_kit.backends.snapshots.table import SNAPSHOTS
from runtime_kit.harness.backends import build_backend, parse_backend
from runtime_kit.service.service import Service
from tests.service.conftest import Api

PROJECT = "/api/Network/ibm-q/Groups/open/Projects/main"


def test_version_names_an_auth_api(client: TestClient) -> None:
    version = client.get("/api/version").json()
    assert version["new_api"] is True and "api-auth" in version


def test_login_trades_the_token_for_itself_and_me_gives_the_urls(
    service: Service, client: TestClient
) -> None:
    _, token = service.tokens.create("alice", "user")
    login = client.post("/api/users/loginWithToken", content=f'{{"apiToken": "{token}"}}')
    assert login.status_code == 200 and login.json()["id"] == token
    me = client.get("/api/users/me", headers={"X-Access-Token": token}).json()
    assert me["username"] == "alice"
    assert me["urls"] == {
        "http": "http://testserver/api",
        "ws": "ws://testserver/api/ws",
        "services": {"runtime": "http://testserver"},
    }


@pytest.mark.parametrize(
    ("body", "status"), [('{"apiToken": "nope"}', 401), ("{}", 400), ('{"apiToken": 3}', 400)]
)
def test_a_bad_login_is_refused(client: TestClient, body: str, status: int) -> None:
    response = client.post("/api/users/loginWithToken", content=body)
    assert response.status_code == status
    assert response.json()["error"]["status"] == status


def test_one_hub_group_project_per_token(admin: Api) -> None:
    (hub,) = admin.get("/api/Network").json()
    assert hub["name"] == "ibm-q"
    assert hub["groups"] == {"open": {"name": "open", "projects": {"main": {"name": "main",
                             "isDefault": True}}}}  # fmt: skip
    assert admin.get("/api/Network/ibm-q/Groups/open/Projects/other/devices/v/1").status_code == 404


def test_every_route_wants_a_token(client: TestClient) -> None:
    for path in ("/api/users/me", "/api/Network", f"{PROJECT}/devices/v/1", "/backends"):
        assert client.get(path).status_code == 401, path


def test_the_listed_backends_and_their_documents(admin: Api) -> None:
    configurations = admin.get(f"{PROJECT}/devices/v/1").json()
    names = [c["backend_name"] for c in configurations]
    assert names[: len(LISTED)] == [b.name for b in LISTED]
    assert names[len(LISTED) :] == [snapshot.name for snapshot in SNAPSHOTS]
    by_name = {c["backend_name"]: c for c in configurations}
    assert by_name["ibmq_qasm_simulator"]["n_qubits"] == simulator_qubits(4096) == 28
    assert by_name["noisy-5"]["simulator"] is False and by_name["noisy-5"]["n_qubits"] == 5
    assert admin.get(f"{PROJECT}/devices/ibmq_qasm_simulator/properties").json() == {}
    noisy = admin.get(f"{PROJECT}/devices/noisy-5/properties", params={"version": 1}).json()
    readout = [
        [n["value"] for n in qubit if n["name"] != "readout_error"] for qubit in noisy["qubits"]
    ]
    assert readout == [list(pair) for pair in readout_errors(5)]
    status = admin.get(f"{PROJECT}/devices/noisy-5/queue/status").json()
    assert (status["state"], status["lengthQueue"], status["length_queue"]) == (True, 0, 0)
    assert admin.get(f"{PROJECT}/devices/noisy-5/defaults").json() == {}
    assert admin.get(f"{PROJECT}/devices/nothing/queue/status").status_code == 404


def test_qiskit_ibm_runtime_reads_them_from_the_runtime_service(admin: Api) -> None:
    devices = admin.get("/backends", params={"provider": "ibm-q/open/main"}).json()["devices"]
    assert devices == [b.name for b in LISTED] + [snapshot.name for snapshot in SNAPSHOTS]
    assert admin.get("/backends", params={"provider": "a/b/c"}).status_code == 404
    generic = admin.get("/backends/generic-12/configuration").json()  # any generic-N by name
    assert (generic["backend_name"], generic["n_qubits"]) == ("generic-12", 12)
    assert admin.get("/backends/noisy-5/status").json()["status"] == "active"
    assert admin.get("/backends/aer_simulator/properties").json() == {}
    assert admin.get("/backends/generic-0/configuration").status_code == 404


@pytest.mark.parametrize("listed", LISTED, ids=lambda b: b.name)
def test_a_configuration_says_what_the_jobs_backend_is(admin: Api, listed) -> None:
    document = admin.get(f"/backends/{listed.name}/configuration").json()
    backend = build_backend(parse_backend(listed.name), seed=1)
    actual = backend.configuration()
    assert set(document["basis_gates"]) <= set(backend.target.operation_names)
    assert document["max_shots"] == actual.max_shots
    assert document["max_experiments"] == actual.max_experiments
    if listed.num_qubits is not None:
        assert document["n_qubits"] == actual.n_qubits
        edges = {tuple(edge) for edge in backend.target.build_coupling_map().get_edges()}
        assert {tuple(edge) for edge in document["coupling_map"]} == edges
    else:
        assert document["coupling_map"] is None and document["n_qubits"] <= actual.n_qubits
