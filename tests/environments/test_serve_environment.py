"""Program environments on ``runtime-kit serve`` (bubblewrap sandbox, real builds)."""

from __future__ import annotations

import base64
import fcntl
import json
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from runtime_kit.bundle.builder import build_bundle
from tests.environments.conftest import ENVIRONMENTS, PROGRAMS
from tests.service.real_server import RealServer
from tests.service.tls import throwaway_tls

DEADLINE_S = 600


def upload(server: RealServer, program: Path, token: str | None = None) -> httpx.Response:
    bundle = build_bundle(program)
    body = {**bundle.metadata, "data": bundle.upload_data()}
    with server.http(token) as client:
        return client.post("/programs", json=body)


def finished(server: RealServer, job_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + DEADLINE_S
    with server.http() as client:
        while time.monotonic() < deadline:
            job: dict[str, Any] = client.get(f"/jobs/{job_id}").json()
            if job["status"] in ("COMPLETED", "FAILED", "CANCELLED", "CANCELLED - RAN TOO LONG"):
                return job
            time.sleep(0.5)
    raise AssertionError(f"job {job_id} did not end in {DEADLINE_S} s")


def run_job(server: RealServer, program_id: str, params: dict[str, Any]) -> dict[str, Any]:
    with server.http() as client:
        created = client.post("/jobs", json={"program_id": program_id, "params": params})
        assert created.status_code == 200, created.text
        job = finished(server, created.json()["id"])
        job["logs"] = client.get(f"/jobs/{job['id']}/logs").text
        job["results"] = client.get(f"/jobs/{job['id']}/results").text
    return job


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RealServer]:
    started = RealServer(tmp_path / "data", "--environments-dir", str(tmp_path / "envs")).start()
    try:
        yield started
    finally:
        started.stop()


def test_a_job_cannot_write_its_environment_or_the_cache(
    server: RealServer, tmp_path: Path
) -> None:
    envs = tmp_path / "envs"
    created = upload(server, PROGRAMS / "guarded")
    assert created.status_code == 200, created.text
    job = run_job(server, created.json()["id"], {})
    assert job["status"] == "COMPLETED", job["logs"] + job["results"]
    # the build, live in the job's logs
    assert "[runtime-kit] resolving 1 requirement(s) for Python 3.8" in job["logs"]
    assert "[runtime-kit] building environment " in job["logs"]
    outcome = json.loads(job["results"])
    assert outcome["environment"] == outcome["prefix"] == "OSError"  # mounted read-only
    assert outcome["python"] == "3.8"
    # whatever the job could write (its private /tmp) never reached the host's cache
    assert not list(envs.rglob("planted*")), outcome
    # the second job reuses it: no build, and a worker of that environment already warm
    warm = warm_environments(server, count=1)
    waited = time.monotonic()
    time.sleep(2)
    again = run_job(server, created.json()["id"], {})
    assert again["status"] == "COMPLETED" and "building environment" not in again["logs"]
    assert json.loads(again["results"])["age_s"] > time.monotonic() - waited - 1
    with server.http() as client:
        health = client.get("/health").json()
    assert health["environments"]["enabled"] is True
    assert health["environments"]["environments"] == 1
    # the warm worker keeps its environment from eviction: no one else can lock it
    (lock,) = [path for path in envs.rglob("*.lock") if path.name.startswith(warm[0])]
    with open(lock, "a") as handle, pytest.raises(BlockingIOError):
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)


def warm_environments(server: RealServer, count: int, *, besides: str = "") -> list[str]:
    """The environments with a warm worker, once there are ``count`` of them (one of them
    not ``besides``)."""
    deadline = time.monotonic() + DEADLINE_S
    with server.http() as client:
        while time.monotonic() < deadline:
            warm: list[str] = client.get("/health").json()["warm_environments"]["warm"]
            if len(warm) == count and set(warm) != {besides}:
                return warm
            time.sleep(0.2)
    raise AssertionError(f"not {count} warm environment(s) in {DEADLINE_S} s: {warm}")


@pytest.mark.service
def test_the_last_environments_keep_a_warm_worker_each(tmp_path: Path) -> None:
    """``--warm-environments 1``: the environment of the last job keeps a warm worker, the
    one before gives its worker up."""
    server = RealServer(
        tmp_path / "data",
        "--environments-dir",
        str(tmp_path / "envs"),
        "--warm-environments",
        "1",
    ).start()
    try:
        program = (PROGRAMS / "guarded" / "program.py").read_text()
        keys = [""]
        for six in ("1.16.0", "1.15.0"):
            source = inline_declared(program, requirements=f"six=={six}\n", python="==3.8.*")
            created = upload_source(server, source, name=f"six-{six}")
            assert created.status_code == 200, created.text
            job = run_job(server, created.json()["id"], {})
            assert job["status"] == "COMPLETED", job["logs"] + job["results"]
            # the second environment's worker replaces the first's
            keys += warm_environments(server, count=1, besides=keys[-1])
            with server.http() as client:
                assert client.get("/health").json()["warm_environments"]["limit"] == 1
    finally:
        server.stop()


def test_generic_and_noisy_backends_are_not_in_an_environment_of_its_own(
    server: RealServer,
) -> None:
    """Its Qiskit may have no GenericBackendV2: the job is rejected, saying what it gets."""
    created = upload(server, PROGRAMS / "guarded")
    with server.http() as client:
        body = {"program_id": created.json()["id"], "params": {}, "backend": "generic-5"}
        submitted = client.post("/jobs", json=body)
        assert submitted.status_code == 200, submitted.text
        job = finished(server, submitted.json()["id"])
        results = client.get(f"/jobs/{job['id']}/results").text
    assert job["status"] == "FAILED"
    assert (
        "backend generic-5 is not offered to programs with an environment of their own: use "
        "aer_simulator (ibmq_qasm_simulator) or basic_simulator" in results
    )


@pytest.mark.service
def test_off_refuses_programs_with_requirements_at_upload(tmp_path: Path) -> None:
    server = RealServer(tmp_path / "data", "--environments", "off").start()
    try:
        refused = upload(server, PROGRAMS / "guarded")
        assert refused.status_code == 400
        message = refused.json()["error"]["message"]
        assert message == (
            "the program's environment: this service runs no program environments "
            "(--environments off): the program declares requirements (requirements.txt, "
            ".python-version) that the service's own environment does not satisfy"
        )
    finally:
        server.stop()


@pytest.mark.service
def test_the_allow_list_and_a_python_the_host_lacks_are_refused_at_upload(
    tmp_path: Path,
) -> None:
    server = RealServer(tmp_path / "data", "--environments-allow", "qiskit-terra,numpy").start()
    try:
        refused = upload(server, PROGRAMS / "guarded")
        assert refused.status_code == 400
        assert refused.json()["error"]["message"] == (
            "the program's environment: requirements not on this service's allow-list of "
            "packages: six (ask its operator)"
        )
    finally:
        server.stop()


def test_a_failed_build_fails_the_job_with_the_resolvers_message(
    server: RealServer, tmp_path: Path
) -> None:
    program = tmp_path / "unresolvable"
    program.mkdir()
    for name in ("program.py", "metadata.json", ".python-version"):
        (program / name).write_bytes((PROGRAMS / "guarded" / name).read_bytes())
    (program / "requirements.txt").write_text("six==1.16.0\nsix<1.0\n")
    created = upload(server, program)
    job = run_job(server, created.json()["id"], {})
    assert job["status"] == "FAILED"
    assert (
        job["logs"]
        .rstrip()
        .splitlines()[-1]
        .startswith(
            "[runtime-kit] error: the program's environment cannot be built: the requirements do "
            "not resolve: "
        )
    )
    assert "six" in job["results"]


@pytest.mark.legacy
def test_the_legacy_client_runs_a_terra_023_program_with_a_pauli_sum_op(
    tmp_path: Path,
) -> None:
    """qiskit-ibmq-provider 0.20 sends a PauliSumOp the service's Qiskit cannot decode (kept
    encoded, decoded in the job's environment) and follows the interim results."""
    from tests.interop.legacy_env import legacy_python

    tls = throwaway_tls(tmp_path / "tls")
    service_envs = ENVIRONMENTS  # shared with runtime-kit run's: the same set, built once
    service_envs.mkdir(parents=True, exist_ok=True)
    server = RealServer(
        tmp_path / "data", *tls.serve_args(), "--environments-dir", str(service_envs),
        ca_file=tls.ca,
    ).start()  # fmt: skip
    try:
        created = upload(server, PROGRAMS / "terra023-vqe")
        assert created.status_code == 200, created.text
        home = tmp_path / "home"
        (home / ".qiskit").mkdir(parents=True)
        (home / ".qiskit" / "qiskitrc").write_text(
            f"[ibmq]\ntoken = {server.token}\nurl = {server.url}/api\n"
        )
        script = f"""
import base64
import fcntl
import json
from qiskit import IBMQ
from qiskit.opflow import PauliSumOp
provider = IBMQ.load_account()
def interim(job_id, message):
    print("interim:", json.dumps(message), flush=True)
operator = PauliSumOp.from_list([("ZZ", 1.0), ("XI", 0.4), ("IX", 0.4)])
job = provider.runtime.run(
    program_id={created.json()["id"]!r},
    options={{"backend_name": "aer_simulator"}},
    inputs={{"operator": operator, "maxiter": 4, "shots": 256}},
    callback=interim,
)
result = job.result()
print("result:", json.dumps({{"energy": result["energy"], "evaluations": result["evaluations"],
      "parameters": len(result["parameters"])}}))
"""
        env = {
            "PATH": os.environ["PATH"],
            "HOME": str(home),
            "REQUESTS_CA_BUNDLE": str(tls.ca),
            "WEBSOCKET_CLIENT_CA_BUNDLE": str(tls.ca),
            "PYTHONWARNINGS": "ignore",
        }
        done = subprocess.run(
            [str(legacy_python()), "-c", script],
            env=env,
            capture_output=True,
            text=True,
            timeout=DEADLINE_S,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-4000:] + server.stop()[-4000:]
        lines = done.stdout.splitlines()
        interim = [
            json.loads(line[len("interim: ") :]) for line in lines if line.startswith("interim:")
        ]
        (result_line,) = [line for line in lines if line.startswith("result:")]
        result = json.loads(result_line[len("result: ") :])
        assert result["parameters"] == 8 and -2.0 <= result["energy"] <= 2.0
        assert len(interim) >= 4
        assert [m["evaluation"] for m in interim] == list(range(1, len(interim) + 1))
    finally:
        server.stop()


def test_a_jobs_log_level_holds_in_an_environment_of_its_own(
    server: RealServer, tmp_path: Path
) -> None:
    program = tmp_path / "logging"
    program.mkdir()
    for name in ("metadata.json", ".python-version", "requirements.txt"):
        (program / name).write_bytes((PROGRAMS / "guarded" / name).read_bytes())
    (program / "program.py").write_text(
        "import logging\n\nlogger = logging.getLogger('my-program')\n\n\n"
        "def main(backend, user_messenger, **kwargs):\n"
        "    logger.debug('a debug line')\n    logger.info('an info line')\n    return 'done'\n"
    )
    created = upload(server, program)
    assert created.status_code == 200, created.text
    with server.http() as client:
        body = {"program_id": created.json()["id"], "params": {}, "log_level": "INFO"}
        submitted = client.post("/jobs", json=body)
        assert submitted.status_code == 200, submitted.text
        job = finished(server, submitted.json()["id"])
        logs = client.get(f"/jobs/{job['id']}/logs").text
    assert job["status"] == "COMPLETED", logs
    assert "INFO:my-program:an info line" in logs and "a debug line" not in logs


def upload_source(server: RealServer, source: str, name: str = "single-file") -> httpx.Response:
    """Upload one file, as the legacy clients' ``upload_program(data=...)`` sends it."""
    body = {
        "name": name,
        "description": "one file",
        "max_execution_time": 120,
        "data": base64.b64encode(source.encode()).decode(),
    }
    with server.http() as client:
        return client.post("/programs", json=body)


def inline_declared(source: str, *, requirements: str, python: str) -> str:
    """``source`` with a ``# /// script`` block (PEP 723) on its first lines."""
    listed = "".join(f'#   "{line}",\n' for line in requirements.split())
    block = (
        f'# /// script\n# requires-python = "{python}"\n# dependencies = [\n{listed}# ]\n# ///\n'
    )
    return block + source


def test_a_single_file_declares_its_environment_in_a_script_block(server: RealServer) -> None:
    """The legacy clients upload one file: its ``# /// script`` block (PEP 723) is its
    declaration, and the job runs in that environment."""
    source = inline_declared(
        (PROGRAMS / "guarded" / "program.py").read_text(),
        requirements=(PROGRAMS / "guarded" / "requirements.txt").read_text(),
        python="==3.8.*",
    )
    created = upload_source(server, source)
    assert created.status_code == 200, created.text
    job = run_job(server, created.json()["id"], {})
    assert job["status"] == "COMPLETED", job["logs"] + job["results"]
    outcome = json.loads(job["results"])
    assert outcome["python"] == "3.8" and outcome["environment"] == "OSError"
    bad = source.replace('"six==1.16.0"', '"six @ https://example.org/six.whl"')
    refused = upload_source(server, bad)
    assert refused.status_code == 400
    assert refused.json()["error"]["message"] == (
        "the program's environment: program.py:4:6: six: a dependency comes from the package "
        "index, not a URL"
    )


@pytest.mark.service
def test_off_refuses_a_single_file_with_a_script_block(tmp_path: Path) -> None:
    server = RealServer(tmp_path / "data", "--environments", "off").start()
    try:
        source = (PROGRAMS / "guarded" / "program.py").read_text()
        refused = upload_source(
            server, inline_declared(source, requirements="six==1.16.0", python="==3.8.*")
        )
        assert refused.status_code == 400
        assert refused.json()["error"]["message"] == (
            "the program's environment: this service runs no program environments "
            "(--environments off): the program declares requirements (# /// script) that the "
            "service's own environment does not satisfy"
        )
        assert upload_source(server, source).status_code == 200  # no block: no environment
    finally:
        server.stop()


OVERLAY_PROGRAM = """
import os

import termcolor


def main(backend, user_messenger, **kwargs):
    overlay = os.path.dirname(os.path.dirname(termcolor.__file__))
    try:
        with open(os.path.join(overlay, "planted.py"), "w") as handle:
            handle.write("print('planted')")
        written = "written"
    except OSError as exc:
        written = type(exc).__name__
    with open("/proc/self/cmdline", "rb") as handle:
        command = [part.decode() for part in handle.read().split(b"\\0") if part]
    return {"overlay": overlay, "written": written, "command": command, "backend": backend.name}
"""

PLAIN_PROGRAM = """
import os


def main(backend, user_messenger, overlay="", **kwargs):
    try:
        import termcolor  # noqa: F401
        imported = True
    except ImportError:
        imported = False
    return {"imported": imported, "overlay_seen": os.path.exists(overlay)}
"""


def test_an_overlays_job_is_forked_from_the_template_and_sees_its_overlay_alone(
    server: RealServer, tmp_path: Path
) -> None:
    """A declaration that only adds a package gets an overlay, and its jobs are forked from
    the warm template like any other: the overlay shown read-only to that job, to no other."""
    programs = {}
    for name, source, requirements in (
        ("overlaid", OVERLAY_PROGRAM, "termcolor==2.4.0\n"),
        ("plain", PLAIN_PROGRAM, None),
    ):
        directory = tmp_path / name
        directory.mkdir()
        (directory / "program.py").write_text(source)
        metadata = {"name": name, "description": name, "max_execution_time": 120}
        (directory / "metadata.json").write_text(json.dumps(metadata))
        if requirements:
            (directory / "requirements.txt").write_text(requirements)
        created = upload(server, directory)
        assert created.status_code == 200, created.text
        programs[name] = created.json()["id"]
    for _ in range(2):  # started on demand, then the warm worker the first job left
        job = run_job(server, programs["overlaid"], {})
        assert job["status"] == "COMPLETED", job["logs"] + job["results"]
        outcome = json.loads(job["results"])
        assert outcome["written"] == "OSError"  # read-only
        assert "runtime_kit.sandbox.fork_server" in outcome["command"], outcome
        assert outcome["backend"] == "aer_simulator"  # runtime-kit's own backends
    with server.http() as client:
        assert client.get("/health").json()["job_start"]["path"] == "fork"
    plain = run_job(server, programs["plain"], {"overlay": outcome["overlay"]})
    assert plain["status"] == "COMPLETED", plain["logs"] + plain["results"]
    assert json.loads(plain["results"]) == {"imported": False, "overlay_seen": False}
    assert not (Path(outcome["overlay"]) / "planted.py").exists()
