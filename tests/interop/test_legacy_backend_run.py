"""``backend.run(circuits)`` from qiskit-ibmq-provider 0.20.2, unchanged (qiskit-terra 0.23
assembles the Qobj), against ``runtime-kit serve`` over TLS: the job runs as an internal
program's job and its result is the legacy ``Result``; jobs are listed with the provider's
filters, retrieved, and a job the service cannot run fails saying why."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from typing import NamedTuple

import pytest

from tests.interop.legacy_env import legacy_python
from tests.service.real_server import RealServer
from tests.service.tls import throwaway_tls

pytestmark = pytest.mark.legacy

SCRIPT = r"""
import json, time
import qiskit_aer  # noqa: F401  (it gives circuits save_statevector)
from qiskit import IBMQ, QuantumCircuit, transpile
from qiskit.circuit import Parameter
from qiskit.providers.ibmq.job.exceptions import IBMQJobFailureError

seen = {}
provider = IBMQ.load_account()
backend = provider.backend.ibmq_qasm_simulator  # as IBM's tutorials (qce21, API_direct) do

circuit = QuantumCircuit(2, 2)
circuit.h(0)
circuit.cx(0, 1)
circuit.measure([0, 1], [0, 1])
started = time.monotonic()
job = backend.run(transpile(circuit, backend), job_name="bell", job_tags=["tutorial"])
result = job.result()
seen["seconds"] = time.monotonic() - started
seen["counts"] = result.get_counts()
seen["status"] = job.status().name
seen["result_job_id"] = [result.job_id == job.job_id(), result.backend_name, result.success]
seen["name_tags"] = [job.name(), job.tags()]

everything = QuantumCircuit(2)
everything.h(0)
everything.cx(0, 1)
everything.measure_all()
seen["measure_all"] = backend.run(everything, shots=100).result().get_counts()
memory = backend.run(circuit, shots=10, memory=True).result()
seen["memory"] = memory.get_memory()

conditional = QuantumCircuit(2, 2)
conditional.x(0)
conditional.measure(0, 0)
conditional.x(1).c_if(conditional.clbits[0], 1)
conditional.measure(1, 1)
seen["conditional"] = backend.run(conditional, shots=50).result().get_counts()

theta = Parameter("theta")
rotated = QuantumCircuit(1, 1)
rotated.rx(theta, 0)
rotated.measure(0, 0)
binds = [{theta: 0.0}, {theta: 3.141592653589793}]
seen["binds"] = backend.run(rotated, shots=20, parameter_binds=binds).result().get_counts()

noisy = provider.get_backend("noisy-5")
seen["noisy"] = noisy.run(transpile(circuit, noisy), shots=4000).result().get_counts()

seen["listed"] = [j.job_id() for j in backend.jobs(limit=10)]
seen["by_name"] = [j.job_id() for j in backend.jobs(job_name="^bell$")]
seen["by_tag"] = [j.job_id() for j in provider.backend.jobs(job_tags=["tutorial"])]
seen["done"] = len(provider.backend.jobs(limit=100, status="DONE"))
seen["job"] = job.job_id()
retrieved = provider.backend.retrieve_job(job.job_id())
seen["retrieved"] = [retrieved.status().name, retrieved.result().get_counts() == seen["counts"]]
seen["circuits"] = dict(retrieved.circuits()[0].count_ops())
seen["cancel_done"] = job.cancel()

unsupported = QuantumCircuit(1, 1)
unsupported.save_statevector()
unsupported.measure(0, 0)
failing = backend.run(unsupported)
try:
    failing.result()
except IBMQJobFailureError as exc:
    seen["failure"] = str(exc)
seen["error_message"] = failing.error_message()
seen["failed"] = [j.job_id() for j in backend.jobs(status="ERROR")] == [failing.job_id()]

montreal = provider.get_backend("ibmq_montreal")  # a device snapshot, with its noise
seen["montreal"] = montreal.run(transpile(circuit, montreal), shots=2000).result().get_counts()
as_written = montreal.run(circuit, shots=10)  # h is not an instruction of the device
try:
    as_written.result()
except IBMQJobFailureError as exc:
    seen["montreal_refused"] = str(exc)
print(json.dumps(seen))
"""


class Stack(NamedTuple):
    server: RealServer
    env: dict[str, str]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    root = tmp_path_factory.mktemp("backend-run")
    tls = throwaway_tls(root / "tls")
    server = RealServer(root / "data", *tls.serve_args(), ca_file=tls.ca).start()
    try:
        with server.http() as admin:
            token = admin.post("/tokens", json={"name": "user", "role": "user"}).json()["token"]
        home = root / "home"
        (home / ".qiskit").mkdir(parents=True)
        (home / ".qiskit" / "qiskitrc").write_text(
            f"[ibmq]\ntoken = {token}\nurl = {server.url}/api\n"
        )
        env = {
            "PATH": os.environ["PATH"],
            "HOME": str(home),
            "REQUESTS_CA_BUNDLE": str(tls.ca),
            "WEBSOCKET_CLIENT_CA_BUNDLE": str(tls.ca),
            "PYTHONWARNINGS": "ignore",
        }
        yield Stack(server, env)
    finally:
        server.stop()


def test_backend_run_returns_a_result_the_legacy_result_reads(stack: Stack) -> None:
    done = subprocess.run(
        [str(legacy_python()), "-c", SCRIPT],
        env=stack.env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    counts = seen["counts"]
    assert set(counts) == {"00", "11"} and sum(counts.values()) == 4000  # the provider default
    print(f"backend.run(...).result() of a Bell pair took {seen['seconds']:.2f} s")
    assert seen["status"] == "DONE" and seen["result_job_id"] == [True, "ibmq_qasm_simulator", True]
    assert seen["name_tags"] == ["bell", ["tutorial"]]
    assert set(seen["measure_all"]) <= {"00", "11"} and sum(seen["measure_all"].values()) == 100
    assert len(seen["memory"]) == 10 and set(seen["memory"]) <= {"00", "11"}
    assert seen["conditional"] == {"11": 50}
    assert seen["binds"] == [{"0": 20}, {"1": 20}]
    assert set(seen["noisy"]) == {"00", "01", "10", "11"}  # readout errors show
    assert seen["job"] in seen["listed"] and len(seen["listed"]) == 5  # noisy-5 aside
    assert seen["by_name"] == [seen["job"]] and seen["by_tag"] == [seen["job"]]
    assert seen["done"] == 6
    assert seen["retrieved"] == ["DONE", True]
    assert seen["circuits"] == {"measure": 2, "h": 1, "cx": 1}
    assert seen["cancel_done"] is False
    assert "'save_statevector' is not an instruction this service runs" in seen["failure"]
    assert "'save_statevector' is not an instruction" in seen["error_message"]
    assert seen["failed"] is True
    montreal = seen["montreal"]
    assert sum(montreal.values()) == 2000 and montreal["00"] + montreal["11"] > 1600
    assert len(montreal) > 2  # the device's noise
    assert "h is not an instruction of ibmq_montreal" in seen["montreal_refused"]
