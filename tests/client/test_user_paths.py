"""Issue 13, point by point: what a new user tripped on, against a real service."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import numpy as np
import pytest

from runtime_kit.client.service import RuntimeService
from runtime_kit.errors import AmbiguousProgramError, JobCancelledError, ProgramNotFoundError
from tests.client.test_commands import cli
from tests.conftest import ROOT
from tests.service.real_server import RealServer

HELLO = ROOT / "examples" / "hello"
SLEEPER = "import time\n\ndef main(backend, user_messenger):\n    time.sleep(60)\n"
ARRAYS = (
    "import numpy as np\n\ndef main(backend, user_messenger):\n"
    "    user_messenger.publish(np.array([-0.48680484, -1.23545672]))\n"
    "    return np.linspace(0, 1, 3) * 1.23545672123\n"
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    target = tmp_path / "hello"
    shutil.copytree(HELLO, target)
    return target


def _metadata(project: Path, **changes: object) -> None:
    path = project / "metadata.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), **changes}))


def _meta(name: str, **extra: object) -> dict[str, object]:
    return {"name": name, "description": "d", "max_execution_time": 60, **extra}


def test_1_publish_sends_metadata_only_changes(
    client_env: dict[str, str], project: Path, service: RuntimeService
) -> None:
    assert cli(client_env, "publish", project, "--yes").returncode == 0
    _metadata(project, description="Now with a better description.", max_execution_time=300)
    changed = cli(client_env, "publish", project, "--yes")
    assert changed.returncode == 0, changed.stderr
    assert changed.stderr.startswith("updated: ")
    shown = json.loads(cli(client_env, "programs", "show", "hello", "--json").stdout)
    assert (shown["description"], shown["max_execution_time"]) == (
        "Now with a better description.",
        300,
    )
    at_version = service.program(shown["id"], version=shown["version"])
    assert at_version.max_execution_time == 300  # the version's own copy follows
    assert cli(client_env, "publish", project, "--yes").stderr.startswith("unchanged: ")


def test_2_group_options_after_the_subcommand(
    client_env: dict[str, str], service: RuntimeService
) -> None:
    program_id = service.upload_program(metadata=_meta("opts"), source=SLEEPER.replace("60", "0"))
    listed = cli(client_env, "programs", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert [p["id"] for p in json.loads(listed.stdout)] == [program_id]
    job = service.run(program_id, {}, {})
    job.wait_for_final_state(timeout=60)
    shown = cli(client_env, "jobs", "show", job.job_id(), "--json")
    assert json.loads(shown.stdout)["status"] == "COMPLETED"
    made = cli(client_env, "tokens", "create", "--name", "bob", "--json")
    assert made.returncode == 0, made.stderr
    assert json.loads(made.stdout)["name"] == "bob"


def test_3_program_names_or_ids_everywhere(
    client_env: dict[str, str], server: RealServer, service: RuntimeService
) -> None:
    program_id = service.upload_program(metadata=_meta("h2-vqe"), source=SLEEPER.replace("60", "0"))
    shown = cli(client_env, "programs", "show", "h2-vqe")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith(f"{program_id}:")
    submitted = cli(client_env, "jobs", "submit", "h2-vqe", "--follow")
    assert submitted.returncode == 0, submitted.stderr
    listed = json.loads(cli(client_env, "jobs", "list", "--program", "h2-vqe", "--json").stdout)
    assert [job["program"] for job in listed] == [program_id]
    unknown = cli(client_env, "jobs", "list", "--program", "no-such-name")
    assert unknown.returncode == 4
    assert "no program 'no-such-name': neither the id nor the name" in unknown.stderr
    assert cli(client_env, "programs", "delete", "h2-vqe").stdout == f"deleted {program_id}\n"

    # Two other users publish public programs of one name: ambiguous for a third.
    with server.http() as admin:
        tokens = [
            admin.post("/tokens", json={"name": n, "role": "uploader"}).json()["token"]
            for n in ("ann", "ben", "cat")
        ]
    owners = [RuntimeService(server.url, token) for token in tokens]
    ids: list[str] = []
    try:
        for owner in owners[:2]:
            ids.append(owner.upload_program(metadata=_meta("twin", is_public=True), source=SLEEPER))
        with pytest.raises(AmbiguousProgramError) as ambiguous:
            owners[2].find_program("twin")
        assert sorted(ambiguous.value.program_ids) == sorted(ids)
        assert "ambiguous" in str(ambiguous.value) and ids[0] in str(ambiguous.value)
        assert owners[0].find_program("twin").program_id == ids[0]  # your own wins
        env = {**client_env, "RUNTIME_KIT_TOKEN": tokens[2]}
        refused = cli(env, "programs", "show", "twin")
        assert refused.returncode == 2 and "give one of these ids" in refused.stderr
    finally:
        for owner, program_id in zip(owners, ids, strict=False):
            owner.delete_program(program_id)
        for owner in owners:
            owner.close()


def test_4_one_backend_spelling_with_aliases(
    client_env: dict[str, str], service: RuntimeService, project: Path
) -> None:
    program_id = service.upload_program(metadata=_meta("bk"), source=SLEEPER.replace("60", "0"))
    for spelling in ("generic:5", "generic-5"):
        done = cli(client_env, "jobs", "submit", program_id, "--backend", spelling, "--json")
        assert done.returncode == 0, done.stderr
        job = service.job(json.loads(done.stdout)["id"])
        assert job.wait_for_final_state(timeout=60).final
    for command in (
        ("jobs", "submit", program_id, "--backend", "generic:1"),
        ("run", project, "--backend", "generic-1"),
    ):
        refused = cli(client_env, *command)
        assert refused.returncode == 2, refused.stderr
        assert "a generic device needs at least 2 qubits" in refused.stderr
        assert "Traceback" not in refused.stderr


def test_5_a_cancelled_job_has_no_result(
    client_env: dict[str, str], service: RuntimeService
) -> None:
    program_id = service.upload_program(metadata=_meta("sleepy"), source=SLEEPER)
    job = service.run(program_id, {}, {})
    job.cancel()
    with pytest.raises(JobCancelledError, match="Job was cancelled"):
        job.result(timeout=60)
    shown = cli(client_env, "jobs", "result", job.job_id())
    assert shown.returncode == 1
    assert "Job was cancelled" in shown.stderr and shown.stdout == ""
    as_json = cli(client_env, "jobs", "result", job.job_id(), "--json")
    assert as_json.returncode == 1 and "cancelled" in json.loads(as_json.stdout)["error"]


def test_7_arrays_print_as_json_lists(client_env: dict[str, str], service: RuntimeService) -> None:
    program_id = service.upload_program(metadata=_meta("arrays"), source=ARRAYS)
    followed = cli(client_env, "jobs", "submit", program_id, "--follow")
    assert followed.returncode == 0, followed.stderr
    expected = (np.linspace(0, 1, 3) * 1.23545672123).tolist()
    assert followed.stdout.splitlines() == [
        "interim: [-0.48680484, -1.23545672]",
        f"result: {json.dumps(expected)}",
    ]
    job_id = followed.stderr.split()[1]
    assert cli(client_env, "jobs", "result", job_id).stdout == f"result: {json.dumps(expected)}\n"
    record = json.loads(cli(client_env, "jobs", "result", job_id, "--json").stdout)
    assert record["result"] == expected


def test_9_one_version_story(client_env: dict[str, str], project: Path) -> None:
    """v1 metadata's version is the program's version, as v2's is; a new one adds a version."""
    v1 = {
        "name": "versioned-v1",
        "description": "d",
        "max_execution_time": 60,
        "version": "1.0",
        "parameters": [{"name": "iterations", "type": "int", "required": False}],
    }
    (project / "metadata.json").write_text(json.dumps(v1))
    created = cli(client_env, "publish", project, "--yes")
    assert created.returncode == 0, created.stderr
    assert "version 1.0" in created.stderr
    (project / "metadata.json").write_text(json.dumps({**v1, "version": "2.0"}))
    again = cli(client_env, "publish", project, "--yes")
    assert again.stderr.startswith("new version: ") and "version 2.0" in again.stderr
    shown = cli(client_env, "programs", "show", "versioned-v1")
    assert "  Version: 2.0\n  Versions: 1.0, 2.0\n" in shown.stdout
    migrated = cli(client_env, "migrate", project, "--stdout")
    assert json.loads(migrated.stdout)["version"] == "2.0"


def test_10_small_ones(
    client_env: dict[str, str], service: RuntimeService, project: Path, tmp_path: Path
) -> None:
    program_id = service.upload_program(
        HELLO, metadata=json.loads((HELLO / "metadata.json").read_text())
    )
    bad = cli(client_env, "jobs", "submit", program_id, "--param", "iterations=-1")
    assert bad.returncode == 2, bad.stderr
    assert "inputs do not match" in bad.stderr
    with pytest.raises(ProgramNotFoundError, match="nope"):
        service.run("nope", {}, {})
    bogus = cli(client_env, "new", "X", "--set", "bogus=1", "--no-input", "-o", tmp_path)
    assert bogus.returncode == 2 and "has no value(s) 'bogus'" in bogus.stderr
    made = cli(client_env, "new", "Made", "--no-input", "-o", tmp_path)
    assert made.returncode == 0, made.stderr
    assert "A. Author" not in (tmp_path / "made" / "README.md").read_text()
    (project / "program.py").write_text(
        "def main(backend, user_messenger, iterations=1, shots=1, seed=None, penalty=0):\n"
        "    return str(penalty)\n"
    )
    ran = cli(client_env, "run", project, "--param", "penalty=1", "--json")
    assert ran.returncode == 0, ran.stderr
    warnings = json.loads(ran.stdout)["warnings"]
    assert warnings == ["input 'penalty' is not declared in spec.parameters"]


def test_stream_and_unknown_status_are_not_silent(
    service: RuntimeService, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 12 point 5: a stream that cannot reconnect says so; an unknown status is an
    error, not INITIALIZING."""
    from runtime_kit.client import job as job_module
    from runtime_kit.client.http import ServiceHttp
    from runtime_kit.errors import ServiceError

    program_id = service.upload_program(metadata=_meta("quiet"), source=SLEEPER.replace("60", "1"))
    started = service.run(program_id, {}, {})
    dead = ServiceHttp("http://127.0.0.1:9", "token")  # no websocket will ever answer
    lost = job_module.RuntimeJob(dead, started.job_id(), program_id)
    stream = job_module._Stream(lost, lambda *_: None, None)
    saved = job_module.MAX_RECONNECTS
    job_module.MAX_RECONNECTS = 1
    try:
        with caplog.at_level("WARNING", logger="runtime_kit.client"):
            stream.run(deadline=time.monotonic() + 30)
    finally:
        job_module.MAX_RECONNECTS = saved
    assert "was lost after 1 reconnects" in str(lost.stream_error)
    assert "was lost after 1 reconnects" in caplog.text
    with pytest.raises(ServiceError, match="unknown job status 'PAUSED'"):
        lost.set_api_status("PAUSED")
    started.wait_for_final_state(timeout=60)


CHATTY = (
    "import time\n\ndef main(backend, user_messenger, steps=3):\n"
    "    for i in range(steps):\n        print(f'step {i}', flush=True)\n        time.sleep(1)\n"
    "    return 'done'\n"
)


def test_6_logs_so_far_and_as_they_come(
    client_env: dict[str, str], service: RuntimeService
) -> None:
    program_id = service.upload_program(metadata=_meta("chatty"), source=CHATTY)
    job = service.run(program_id, {}, {"steps": 3})
    deadline = time.monotonic() + 60
    while "step 0" not in job.logs() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "step 0" in job.logs() and not job.status().final  # so far, while it runs
    first_chunk_while_running = None
    chunks = []
    for chunk in job.follow_logs():
        if first_chunk_while_running is None:
            first_chunk_while_running = not service.job(job.job_id()).status().final
        chunks.append(chunk)
    assert first_chunk_while_running
    assert "".join(chunks) == job.logs() == "step 0\nstep 1\nstep 2\n"
    followed = cli(client_env, "jobs", "logs", job.job_id(), "--follow")
    assert followed.returncode == 0 and followed.stdout == "step 0\nstep 1\nstep 2\n"
    submitted = cli(client_env, "jobs", "submit", program_id, "--param", "steps=2", "--follow")
    assert submitted.returncode == 0, submitted.stderr
    assert "step 1" in submitted.stderr and "unavailable" not in submitted.stderr
    assert submitted.stdout == 'result: "done"\n'
