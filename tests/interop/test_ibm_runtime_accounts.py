"""qiskit-ibm-runtime 0.9 (the client of the custom-program years, 0.9-0.15), unchanged:
``QiskitRuntimeService(channel="ibm_quantum", token=..., url=<service>/api)`` lists the
programs and backends, runs hello-world with a callback (streamed over wss) and
circuit-runner with mitigation on noisy-5, against ``runtime-kit serve`` over TLS."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from runtime_kit.backends.snapshots.table import SNAPSHOTS
from tests.conftest import BUILTIN_PROGRAMS
from tests.interop.runtime09_env import runtime09_python
from tests.service.real_server import RealServer
from tests.service.tls import throwaway_tls

SCRIPT = Path(__file__).with_name("runtime09_client.py")


@pytest.mark.ibm_runtime_09
def test_qiskit_ibm_runtime_09_lists_runs_and_streams(tmp_path: Path) -> None:
    tls = throwaway_tls(tmp_path / "tls")
    server = RealServer(tmp_path / "data", *tls.serve_args(), ca_file=tls.ca).start()
    try:
        with server.http() as admin:
            token = admin.post("/tokens", json={"name": "bob", "role": "user"}).json()["token"]
        env = {
            "PATH": os.environ["PATH"],
            "HOME": str(tmp_path),
            "REQUESTS_CA_BUNDLE": str(tls.ca),
            "WEBSOCKET_CLIENT_CA_BUNDLE": str(tls.ca),
            "PYTHONWARNINGS": "ignore",
        }
        done = subprocess.run(
            [str(runtime09_python()), str(SCRIPT), f"{server.url}/api", token],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    finally:
        server.stop()
    assert done.returncode == 0, done.stderr[-4000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["channel"] == "ibm_quantum"
    assert seen["programs"] == BUILTIN_PROGRAMS
    assert seen["program"] == "circuit-runner"
    assert seen["backends"] == [
        "ibmq_qasm_simulator", "aer_simulator", "basic_simulator", "generic-5", "noisy-5",
        *(snapshot.name for snapshot in SNAPSHOTS),
    ]  # fmt: skip
    assert seen["ibmq_montreal"][:2] == [27, False]
    assert 1e-5 < seen["ibmq_montreal"][2] < 1e-3  # T1 in seconds
    assert seen["noisy-5"] == [5, True, pytest.approx(0.035)]
    assert seen["result"] == "All done!" and seen["status"] == "DONE"
    assert [message["iteration"] for message in seen["streamed"][:3]] == [0, 1, 2]
    assert seen["streamed"][3:] == []  # interim results only; the result is job.result()'s
    assert seen["jobs"] == [seen["job"][0]] and seen["job"][1] == "hello-world"
    assert set(seen["counts"]) == {"00", "01", "10", "11"}  # readout errors show
    assert seen["quasi"]["00"] == pytest.approx(0.5, abs=0.04)
    assert seen["quasi"]["11"] == pytest.approx(0.5, abs=0.04)
