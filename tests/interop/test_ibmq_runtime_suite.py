"""qiskit-ibmq-provider 0.20.2's runtime integration suite, behaviour by behaviour, against
``runtime-kit serve`` over TLS: our own replica of it (``ibmq_runtime_suite.py``: the same
provider calls in the same order for each of its 47 tests; IBM's code is not ours to commit)
in a Python 3.10 side venv, where IBM's suite runs.  The service runs one job at a time, so
that the behaviours about queued jobs find one.  The behaviours run in three parts, each
on a service of its own (xdist runs them at once: IBM's suite waits 10 s here and there).

The behaviour reading a public program it does not own asks for IBM's ``sample-program``; a
service without one gets a stand-in, uploaded public by another token (the built-in
``sample-program`` is another change's)."""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.interop.legacy310_env import legacy310_python, python310
from tests.service.real_server import RealServer
from tests.service.tls import throwaway_tls

SCRIPT = Path(__file__).with_name("ibmq_runtime_suite.py")
BEHAVIOURS = sorted(re.findall(r"^    def (test_\w+)\(self", SCRIPT.read_text(), re.MULTILINE))
PARTS = 3
#: Why a behaviour may be skipped, as IBM's suite skips it: a job's state it cannot catch.
SKIPPABLE = ("did not reach QUEUED", "did not reach RUNNING")

pytestmark = [
    pytest.mark.legacy,
    pytest.mark.skipif(python310() is None, reason="IBM's suite needs Python 3.10"),
]


def _sample_program(server: RealServer, admin: httpx.Client) -> None:
    if admin.get("/programs/sample-program").status_code == 200:
        return
    other = admin.post("/tokens", json={"name": "ibm", "role": "uploader"}).json()["token"]
    source = b'def main(backend, user_messenger, **kwargs):\n    return "sample"\n'
    body = {
        "name": "sample-program",
        "description": "a stand-in for IBM's public sample-program",
        "cost": 300,
        "is_public": True,
        "data": base64.b64encode(source).decode(),
    }
    with server.http(other) as as_other:
        response = as_other.post("/programs", content=json.dumps(body))
    assert response.status_code == 200, response.text


def test_the_replica_has_every_behaviour_of_ibms_suite() -> None:
    assert len(BEHAVIOURS) == 47


@pytest.mark.parametrize("part", range(PARTS))
def test_the_providers_runtime_integration_suite(tmp_path: Path, part: int) -> None:
    behaviours = BEHAVIOURS[part::PARTS]
    # 127.0.0.2, a loopback address websocket-client does not exempt from proxies (it does
    # 127.0.0.1 and localhost): the proxy behaviours then go through their proxy
    tls = throwaway_tls(tmp_path / "tls", "127.0.0.2")
    # IBM's suite uploads a program in every behaviour: more than the default 30 expensive
    # requests a minute (the rate limits have tests of their own)
    server = RealServer(
        tmp_path / "data", "--workers", "1", "--expensive-per-min", "1000", *tls.serve_args(),
        ca_file=tls.ca, host="127.0.0.2",
    )  # fmt: skip
    server.start()
    try:
        with server.http() as admin:
            body = {"name": "suite", "role": "uploader"}
            token = admin.post("/tokens", json=body).json()["token"]
            _sample_program(server, admin)
        env = {
            "PATH": os.environ["PATH"],
            "HOME": str(tmp_path),
            "REQUESTS_CA_BUNDLE": str(tls.ca),
            "WEBSOCKET_CLIENT_CA_BUNDLE": str(tls.ca),
            "PYTHONWARNINGS": "ignore",
        }
        command = [str(legacy310_python()), str(SCRIPT), f"{server.url}/api", token]
        done = subprocess.run(
            [*command, "ibmq_qasm_simulator", *behaviours],
            env=env,
            capture_output=True,
            text=True,
            timeout=1800,
            check=False,
        )
    finally:
        server.stop()
    print(done.stderr[-6000:])
    assert done.returncode == 0, done.stderr[-4000:]
    outcomes = json.loads(done.stdout.strip().splitlines()[-1])
    assert sorted(outcomes) == behaviours
    failed = {name: outcome for name, outcome in outcomes.items() if outcome.startswith("fail")}
    assert not failed, json.dumps(failed, indent=1)
    skipped = {name: outcome for name, outcome in outcomes.items() if outcome.startswith("skip")}
    assert all(any(why in outcome for why in SKIPPABLE) for outcome in skipped.values()), skipped
    # one worker: the queued behaviours find their job queued behind another
    needed = (
        "test_retrieve_job_queued", "test_cancel_job_queued", "test_logout",
        "test_run_program_log_level", "test_interim_result_callback",
    )  # fmt: skip
    assert all(outcomes[name] == "ok" for name in needed if name in outcomes), outcomes
