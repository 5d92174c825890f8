"""A ``runtime-kit serve`` over TLS with program environments, and the legacy client
(qiskit-ibmq-provider 0.20, ``.venv-legacy``) running a program on it with a callback for
the interim results, as a 2021-2023 user's script did."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any, NamedTuple

import httpx

from runtime_kit.bundle.builder import build_bundle
from tests.service.real_server import RealServer
from tests.service.tls import TlsFiles, throwaway_tls

#: What one job (its build included, on a loaded machine) may take.
DEADLINE_S = 900


class LegacyService(NamedTuple):
    server: RealServer
    tls: TlsFiles
    home: Path  # the client's home (its ~/.qiskit/qiskitrc names the service)

    def upload(self, program: Path) -> str:
        """Upload ``program`` (its bundle: requirements.txt included); its id."""
        bundle = build_bundle(program)
        body = {**bundle.metadata, "data": bundle.upload_data()}
        with self.server.http() as client:
            created: httpx.Response = client.post("/programs", json=body)
        assert created.status_code == 200, created.text
        program_id: str = created.json()["id"]
        return program_id

    def run(self, program_id: str, inputs_code: str, result_code: str) -> LegacyRun:
        """Run ``program_id`` with the client: ``inputs_code`` sets ``INPUTS`` (the client's
        Qiskit imported as the user's script would), ``result_code`` turns ``result`` (what
        ``job.result()`` gave) into ``SHOWN`` (printed as JSON)."""
        script = LEGACY_SCRIPT.format(
            program_id=program_id,
            inputs=inputs_code,
            shown=result_code,
        )
        env = {
            "PATH": os.environ["PATH"],
            "HOME": str(self.home),
            "REQUESTS_CA_BUNDLE": str(self.tls.ca),
            "WEBSOCKET_CLIENT_CA_BUNDLE": str(self.tls.ca),
            "PYTHONWARNINGS": "ignore",
        }
        from tests.interop.legacy_env import legacy_python

        done = subprocess.run(
            [str(legacy_python()), "-c", script],
            env=env,
            capture_output=True,
            text=True,
            timeout=DEADLINE_S,
            check=False,
        )
        lines = done.stdout.splitlines()
        interim = [json.loads(line[9:]) for line in lines if line.startswith("interim: ")]
        results = [json.loads(line[8:]) for line in lines if line.startswith("result: ")]
        return LegacyRun(done.returncode, done.stderr, interim, results[0] if results else None)


class LegacyRun(NamedTuple):
    returncode: int
    stderr: str
    interim: list[Any]
    result: Any


LEGACY_SCRIPT = """
import json
import numpy as np
from qiskit import IBMQ
provider = IBMQ.load_account()
def interim(job_id, message):
    print("interim:", json.dumps(message, default=lambda value: np.asarray(value).tolist()),
          flush=True)
{inputs}
job = provider.runtime.run(
    program_id={program_id!r},
    options={{"backend_name": "aer_simulator"}},
    inputs=INPUTS,
    callback=interim,
)
result = job.result()
{shown}
print("result:", json.dumps(SHOWN), flush=True)
"""


def start_legacy_service(directory: Path, environments: Path) -> LegacyService:
    """A TLS ``serve`` whose environments live in ``environments`` (the shared test cache:
    built once), and a client home that names it."""
    tls = throwaway_tls(directory / "tls")
    server = RealServer(
        directory / "data", *tls.serve_args(), "--environments-dir", str(environments),
        ca_file=tls.ca,
    ).start()  # fmt: skip
    home = directory / "home"
    (home / ".qiskit").mkdir(parents=True)
    (home / ".qiskit" / "qiskitrc").write_text(
        f"[ibmq]\ntoken = {server.token}\nurl = {server.url}/api\n"
    )
    return LegacyService(server, tls, home)
