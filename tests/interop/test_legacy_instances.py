"""Instances as the legacy clients select them, unchanged, against ``runtime-kit serve`` over
TLS: qiskit-ibmq-provider 0.20's ``IBMQ.get_provider(project=...)`` (as seven of IBM's
tutorial notebooks call it) and qiskit-ibm-runtime 0.9's ``instance="h/g/p"``; the jobs they
run record the instance, and are listed by it."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest

from tests.interop.legacy_env import legacy_python
from tests.interop.runtime09_env import runtime09_python
from tests.service.real_server import RealServer
from tests.service.tls import throwaway_tls

TIMEOUT_S = 300
NEAR_TIME = "ibm-q-internal/near-time/qiskit-runtime"
DEPLOYED = "ibm-q/deployed/main"

LEGACY_SCRIPT = """
import json
from qiskit import IBMQ
from qiskit.providers.ibmq.exceptions import IBMQProviderError

seen = {"default": str(IBMQ.load_account())}
seen["providers"] = [str(p) for p in IBMQ.providers()]
provider = IBMQ.get_provider(project="qiskit-runtime")
seen["selected"] = str(provider)
seen["deployed"] = str(IBMQ.get_provider(group="deployed"))
job = provider.runtime.run(
    "hello-world", options={"backend_name": "ibmq_qasm_simulator"}, inputs={"iterations": 1}
)
seen["result"] = job.result()
seen["job"] = job.job_id()
seen["backends"] = [b.name() for b in provider.backends()][:2]
retrieved = IBMQ.get_provider(group="deployed").runtime.job(job.job_id())
seen["retrieved"] = [retrieved.job_id(), retrieved.backend().name()]
try:
    IBMQ.get_provider(project="no-such-project")
except IBMQProviderError as exc:
    seen["unknown"] = type(exc).__name__
print(json.dumps(seen))
"""

RUNTIME09_SCRIPT = """
import json, sys
from qiskit_ibm_runtime import QiskitRuntimeService

url, token, instance = sys.argv[1:4]
service = QiskitRuntimeService(channel="ibm_quantum", token=token, url=url, instance=instance)
job = service.run("hello-world", inputs={"iterations": 1},
                  options={"backend": "ibmq_qasm_simulator", "instance": instance})
seen = {"result": job.result(timeout=120), "job": job.job_id()}
seen["listed"] = [j.job_id() for j in service.jobs(instance=instance)]
seen["open"] = [j.job_id() for j in service.jobs(instance="ibm-q/open/main")]
print(json.dumps(seen))
"""


class Stack(NamedTuple):
    server: RealServer
    token: str
    env: dict[str, str]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    root = tmp_path_factory.mktemp("instances")
    tls = throwaway_tls(root / "tls")
    server = RealServer(root / "data", *tls.serve_args(), ca_file=tls.ca).start()
    try:
        with server.http() as admin:
            for instance in (NEAR_TIME, DEPLOYED):
                assert admin.post("/instances", json={"instance": instance}).status_code == 200
            body = {"name": "tutor", "role": "uploader", "instances": [NEAR_TIME, DEPLOYED]}
            token = admin.post("/tokens", json=body).json()["token"]
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
        yield Stack(server, token, env)
    finally:
        server.stop()


def _run(python: Path, stack: Stack, script: str, *args: str) -> dict:
    done = subprocess.run(
        [str(python), "-c", script, *args],
        env=stack.env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _instance_of(stack: Stack, job_id: str) -> str:
    with stack.server.http() as admin:
        job = admin.get(f"/jobs/{job_id}").json()
    return f"{job['hub']}/{job['group']}/{job['project']}"


@pytest.mark.legacy
def test_get_provider_selects_a_project_and_its_jobs_record_it(stack: Stack) -> None:
    seen = _run(legacy_python(), stack, LEGACY_SCRIPT)

    def account(hgp: str) -> str:
        hub, group, project = hgp.split("/")
        return f"<AccountProvider for IBMQ(hub='{hub}', group='{group}', project='{project}')>"

    assert seen["default"] == account("ibm-q/open/main")
    assert seen["providers"] == [account(h) for h in ("ibm-q/open/main", DEPLOYED, NEAR_TIME)]
    assert seen["selected"] == account(NEAR_TIME)
    assert seen["deployed"] == account(DEPLOYED)
    assert seen["result"] == "All done!"
    assert seen["backends"] == ["ibmq_qasm_simulator", "aer_simulator"]
    assert seen["retrieved"] == [seen["job"], "ibmq_qasm_simulator"]
    assert seen["unknown"] == "IBMQProviderError"
    assert _instance_of(stack, seen["job"]) == NEAR_TIME


@pytest.mark.ibm_runtime_09
def test_qiskit_ibm_runtime_09_runs_under_an_instance_and_lists_by_it(stack: Stack) -> None:
    url = f"{stack.server.url}/api"
    seen = _run(runtime09_python(), stack, RUNTIME09_SCRIPT, url, stack.token, DEPLOYED)
    assert seen["result"] == "All done!"
    assert _instance_of(stack, seen["job"]) == DEPLOYED
    assert seen["listed"] == [seen["job"]]
    assert seen["job"] not in seen["open"]
