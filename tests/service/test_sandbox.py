"""``serve --sandbox bwrap``: jobs without network, the file system read-only but their own
directory.  Skipped (saying why) where bubblewrap is missing or cannot run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from runtime_kit.service.sandbox import bwrap_command
from runtime_kit.service.server import ServiceStartError
from tests.conftest import ROOT
from tests.service.conftest import RealServer
from tests.service.test_server import submit, upload, wait_status

PROBE = """
import os, socket

def main(backend, user_messenger, port, outside):
    seen = {}
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2)
        seen["network"] = "reachable"
    except OSError as error:
        seen["network"] = type(error).__name__
    try:
        with open(outside, "w") as handle:
            handle.write("escaped")
        seen["outside"] = "written"
    except OSError as error:
        seen["outside"] = error.errno
    with open("mine.txt", "w") as handle:
        handle.write("ok")
    with open("mine.txt") as handle:
        seen["own directory"] = handle.read()
    from qiskit import QuantumCircuit
    circuit = QuantumCircuit(1)
    circuit.x(0)
    circuit.measure_all()
    seen["counts"] = backend.run(circuit, shots=5).result().get_counts()
    return seen
"""


def test_sandboxed_job_has_no_network_and_cannot_write_outside(tmp_path: Path) -> None:
    try:
        bwrap_command()
    except ServiceStartError as exc:
        pytest.skip(str(exc))
    server = RealServer(tmp_path / "data", "--sandbox", "bwrap").start()
    # Outside /tmp: the sandbox gives each job a private /tmp, so writes there never escape.
    outside = ROOT / ".cache" / f"sandbox-escape-{tmp_path.name}.txt"
    outside.parent.mkdir(exist_ok=True)
    try:
        job_id = submit(
            server, upload(server, PROBE, "probe"), {"port": server.port, "outside": str(outside)}
        )
        assert wait_status(server, job_id, {"COMPLETED", "FAILED"}) == "COMPLETED"
        with server.http() as http:
            seen = json.loads(http.get(f"/jobs/{job_id}/results").text)
    finally:
        server.stop()
    assert seen["network"] != "reachable"
    assert seen["outside"] == 30  # EROFS: read-only file system
    assert not outside.exists()
    assert (seen["own directory"], seen["counts"]) == ("ok", {"1": 5})
