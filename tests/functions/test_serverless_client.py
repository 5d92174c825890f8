"""The released qiskit-serverless client (0.37, in ``.venv-serverless``) against a real
``runtime-kit serve``: upload, list, get, run, follow logs and status live, read results,
stop a running function, and the refusals it shows (bad arguments, unknown function, another
user's job)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT
from tests.interop.serverless_env import serverless_python
from tests.service.real_server import RealServer

pytestmark = pytest.mark.serverless
SESSION = Path(__file__).parent / "clients" / "serverless_session.py"
SLOW = """\
import time
from qiskit_serverless import get_logger, update_status, save_result

logger = get_logger()
update_status("EXECUTING_QPU")
for tick in range(600):
    logger.info("tick %d", tick)
    time.sleep(0.2)
save_result({"ticks": 600})
"""


def test_a_user_session_with_the_released_client(real_server: RealServer, tmp_path: Path) -> None:
    slow = tmp_path / "slow"
    slow.mkdir()
    (slow / "slow.py").write_text(SLOW)
    other = httpx.post(
        f"{real_server.url}/tokens",
        json={"name": "bob", "role": "uploader"},
        headers={"X-Access-Token": real_server.token},
    ).json()["token"]
    bell_src = ROOT / "examples" / "bell-function" / "src"
    ran = subprocess.run(
        [str(serverless_python()), "-W", "ignore", str(SESSION), real_server.url,
         real_server.token, other, str(bell_src), str(slow)],
        capture_output=True, text=True, timeout=600, check=False, cwd=tmp_path,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-5000:]
    seen = {}
    for line in ran.stdout.splitlines():
        seen.update(json.loads(line))
    assert seen["uploaded"] == "bell" and seen["schema"]["required"] == ["shots"]
    assert seen["functions"] == ["bell"] and seen["got"] == "entrypoint.py"
    assert seen["first_status"] in ("QUEUED", "RUNNING", "RUNNING: MAPPING", "DONE")
    assert seen["final"] == "CANCELED"  # the last job: the slow one, stopped
    counts = seen["result"]["counts"]
    assert set(counts) <= {"000", "111"} and sum(counts.values()) == 100
    assert "[PUBLIC] INFO: sampling a 3-qubit GHZ state, 100 shots" in seen["logs"]
    assert "[runtime-kit] status: POST_PROCESSING" in seen["logs"]
    assert "argument 'shots': 0 is less than the minimum of 1" in seen["bad_arguments"]
    assert "Qiskit Function [nothing] doesn't exist." in seen["unknown_function"]
    assert seen["validate"] == {"valid": True}
    live = seen["live"]
    assert live is not None and live["status"] == "RUNNING: EXECUTING_QPU"
    assert "[PUBLIC] INFO: tick 2" in live["logs"]
    assert seen["stop_without_service"].startswith("TypeError: Object of type QiskitRuntimeLocal")
    assert seen["stopped"] == "Job has been stopped."
    assert "tick 599" not in seen["after_stop"]
    assert len(seen["jobs"]) == 2 and len(seen["of_slow"]) == 1
    assert "job not found" in seen["other_job"] and seen["other_list"] == []
    assert seen["done"] is True
