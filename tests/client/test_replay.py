"""``runtime-kit jobs replay``: a job of a real service run again by the local harness."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from runtime_kit.client.service import RuntimeService
from runtime_kit.replay import MAX_DIFFERENCES, ReplayError, differences, replay_job
from tests.service.real_server import RealServer

SAMPLING = """from qiskit import QuantumCircuit


def main(backend, user_messenger, shots=200):
    circuit = QuantumCircuit(3)
    circuit.h([0, 1, 2])
    circuit.measure_all()
    user_messenger.publish({"shots": shots})
    first, second = (backend.run(circuit, shots=shots).result().get_counts() for _ in range(2))
    return {"first": first, "second": second}
"""
FAILING = """def main(backend, user_messenger):
    raise ValueError("no luck today")
"""
METADATA = {
    "name": "sampling",
    "max_execution_time": 120,
    "spec": {
        "parameters": {"type": "object", "properties": {"shots": {"type": "integer"}}},
    },
}


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("runtime-kit")
    return subprocess.run(
        [str(script), "jobs", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def finished_job(service: RuntimeService, source: str, name: str, inputs: dict) -> str:
    metadata = {**METADATA, "name": name} if inputs else {"name": name, "max_execution_time": 60}
    program_id = service.upload_program(metadata=metadata, source=source)
    job = service.run(program_id, {}, inputs)
    job.wait_for_final_state(timeout=120)
    return job.job_id()


def test_a_seeded_job_replays_equal(service: RuntimeService, client_env: dict[str, str]) -> None:
    job_id = finished_job(service, SAMPLING, "sampling", {"shots": 300})
    assert service.job(job_id).seed is not None  # the service records it
    report = replay_job(job_id, service=service)
    assert report.equal, report.differences
    assert (report.service_status, report.local_status) == ("COMPLETED", "DONE")
    counts = report.local_outcome["result"]
    assert sum(counts["first"].values()) == 300
    assert counts["first"] != counts["second"]  # each call draws fresh shots
    assert report.backend == "aer_simulator" and report.seed == service.job(job_id).seed
    shown = cli(client_env, "replay", job_id)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith(f"replayed {job_id} (") and shown.stdout.rstrip().endswith(
        "equal"
    )


def test_a_changed_program_replays_with_a_diff(
    service: RuntimeService, client_env: dict[str, str]
) -> None:
    job_id = finished_job(service, SAMPLING, "changing", {"shots": 300})
    program_id = service.job(job_id).program_id
    changed = SAMPLING.replace("[0, 1, 2]", "[0, 1]")
    # no new version: the data of the version the job ran is replaced
    service.update_program(program_id, source=changed, metadata={**METADATA, "name": "changing"})
    shown = cli(client_env, "replay", job_id, "--json")
    assert shown.returncode == 1, shown.stderr
    report = json.loads(shown.stdout)
    assert report["equal"] is False and report["differences"]
    assert all(line.startswith("$.result") for line in report["differences"])


def test_a_job_replays_the_version_it_ran_not_a_later_one(service: RuntimeService) -> None:
    job_id = finished_job(service, SAMPLING, "versioned", {"shots": 300})
    job = service.job(job_id)
    assert job.program_version == "0"  # submitted without a version: the latest then
    changed = SAMPLING.replace("[0, 1, 2]", "[0, 1]")
    metadata = {**METADATA, "name": "versioned", "version": "2"}
    service.update_program(job.program_id, source=changed, metadata=metadata)
    report = replay_job(job_id, service=service)
    assert report.equal, report.differences
    assert report.version == "0"


def test_a_failed_job_replays_its_failure(service: RuntimeService) -> None:
    job_id = finished_job(service, FAILING, "failing", {})
    report = replay_job(job_id, service=service)
    assert report.service_outcome == {"error": "ValueError: no luck today"}
    assert report.equal and report.local_status == "ERROR"


@pytest.mark.service
def test_a_job_run_before_seeds_were_recorded_cannot_replay(tmp_path: Path) -> None:
    """A data directory made by runtime-kit 5efcb87, whose jobs kept no seed."""
    fixture = Path(__file__).parents[1] / "service" / "fixtures" / "data-5efcb87"
    data = tmp_path / "data"
    shutil.copytree(fixture, data, ignore=shutil.ignore_patterns("*.py", "*.md"))
    server = RealServer(data).start()
    try:
        client = RuntimeService(server.url, (fixture / "alice-token").read_text().strip())
        job_id = json.loads((fixture / "ids.json").read_text())["job"]
        assert client.job(job_id).seed is None
        with pytest.raises(ReplayError, match="does not report the seed"):
            replay_job(job_id, service=client)
        client.close()
    finally:
        server.stop()


def test_unknown_jobs_are_a_service_error(client_env: dict[str, str]) -> None:
    shown = cli(client_env, "replay", "job-does-not-exist")
    assert shown.returncode == 4
    assert shown.stderr.startswith("error: ") and "Traceback" not in shown.stderr


def test_differences_name_their_paths() -> None:
    service = {"result": {"counts": [1, 2, 3], "name": "x", "only": 1}}
    local = {"result": {"counts": [1, 5, 3], "name": "y", "extra": 2}}
    assert differences(service, local) == [
        "$.result.counts[1]: 2 (service) != 5 (local run)",
        '$.result.name: "x" (service) != "y" (local run)',
        "$.result.only: missing from the local run",
        "$.result.extra: missing from the service",
    ]
    assert differences({"a": [1, 2]}, {"a": [1]}) == ["$.a: [1, 2] (service) != [1] (local run)"]
    many = differences(list(range(100)), [n + 1 for n in range(100)])
    assert len(many) == MAX_DIFFERENCES
    assert differences({"x": "a" * 200}, {"x": "b"})[0].startswith('$.x: "aaaa')
    assert len(differences({"x": "a" * 200}, {"x": "b"})[0]) < 120
