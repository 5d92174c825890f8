"""A job's ``log_level`` (qiskit-ibmq-provider's ``options={"log_level": "INFO"}``) is its
program's logging level: ``logger.info`` shows in the job's logs at INFO, not at ERROR; and
``POST /logout`` (``provider.runtime.logout()``) answers."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.service.conftest import Api, program_body

LOGGING = """
import logging
import warnings

logger = logging.getLogger("my-program")

def main(backend, user_messenger, **kwargs):
    from qiskit import QuantumCircuit, transpile

    transpile(QuantumCircuit(1), backend)  # at INFO, qiskit's transpiler logs each pass
    logger.debug("a debug line")
    logger.info("an info line")
    logger.error("an error line")
    print("printed")
    warnings.warn("a warning")
    return "done"
"""


def run_with(admin: Api, level: str | None) -> tuple[dict, str]:
    program = admin.post("/programs", program_body(f"logs-{level}", LOGGING, spec={})).json()
    body = {"program_id": program["id"], "params": {}}
    if level is not None:
        body["log_level"] = level
    response = admin.post("/jobs", body)
    assert response.status_code == 200, response.text
    job = admin.wait_final(response.json()["id"])
    assert job["status"] == "COMPLETED", admin.get(f"/jobs/{job['id']}/results").text
    return job, admin.get(f"/jobs/{job['id']}/logs").text


def test_info_shows_at_info_and_not_at_error(admin: Api) -> None:
    job, logs = run_with(admin, "info")
    assert job["log_level"] == "INFO"
    assert "INFO:my-program:an info line" in logs and "ERROR:my-program:an error line" in logs
    assert "a debug line" not in logs
    assert "qiskit" not in logs  # qiskit's own loggers stay at WARNING: the program's show
    assert "printed" in logs and "UserWarning: a warning" in logs
    _, logs = run_with(admin, "ERROR")
    assert "an info line" not in logs and "ERROR:my-program:an error line" in logs
    _, logs = run_with(admin, "DEBUG")
    assert "DEBUG:my-program:a debug line" in logs


def test_without_a_level_warnings_and_worse_show_as_python_has_them(admin: Api) -> None:
    job, logs = run_with(admin, None)
    assert job["log_level"] is None
    assert "an info line" not in logs and "an error line" in logs


@pytest.mark.parametrize("level", ["verbose", "INFO ", "5"])
def test_an_unknown_level_is_400(admin: Api, level: str) -> None:
    program = admin.post("/programs", program_body("p", LOGGING, spec={})).json()
    response = admin.post("/jobs", {"program_id": program["id"], "log_level": level})
    assert response.status_code == 400
    assert "log_level must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL" in response.text
    assert admin.get("/jobs").json()["count"] == 0


def test_logout_answers_and_the_token_stays_valid(client: TestClient, admin: Api) -> None:
    assert admin.post("/logout").status_code == 204
    assert admin.get("/programs").status_code == 200
    assert client.post("/logout").status_code == 401
