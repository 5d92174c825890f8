"""qiskit-ibmq-provider 0.20 (the legacy venv) drives a real runtime-kit service unchanged."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.interop.legacy_env import legacy_python
from tests.service.conftest import HELLO, RealServer

SCRIPT = Path(__file__).with_name("legacy_client.py")


@pytest.mark.legacy
def test_legacy_runtime_client_full_cycle(real_server: RealServer) -> None:
    done = subprocess.run(
        [str(legacy_python()), str(SCRIPT), real_server.url, real_server.token,
         str(HELLO / "program.py"), str(HELLO / "metadata.json")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["duplicate"] == 409
    assert seen["listed"] is True
    assert seen["program"] == ["updated", 120, True, True]
    assert [m["iteration"] for m in seen["streamed"][:3]] == [0, 1, 2]
    assert seen["streamed"][3:] == []  # interim results only: the result is the results route's
    assert (seen["status"], seen["result"]) == ("COMPLETED", "Ran 3 circuits, 48 shots in all.")
    assert seen["logs"] == ""
    assert seen["job"] == [
        True,
        "ibm-q",
        "ibmq_qasm_simulator",
        {"iterations": 3, "shots": 16},
    ]
    assert seen["jobs"] is True
    assert seen["cancel_finished"] == 409
    assert seen["cancelled"] == "CANCELLED"
    assert (seen["deleted_job"], seen["deleted_program"]) == (404, 404)
