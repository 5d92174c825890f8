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


OWN_PYTHON_PROGRAM = """
import os
import sys

import six


def main(backend, user_messenger, mark=None, **kwargs):
    import subprocess  # a module the template has not imported: its Python's own

    seen = getattr(six, "runtime_kit_mark", None)
    six.runtime_kit_mark = mark  # a change of the template's memory, the job's alone
    with open("/proc/self/cmdline", "rb") as handle:
        command = [part.decode() for part in handle.read().split(b"\\0") if part]
    return {
        "python": "{}.{}".format(*sys.version_info[:2]),
        "command": command,
        "seen": seen,
        "pid": os.getpid(),
        "uid": os.getuid(),
        "processes": sorted(int(name) for name in os.listdir("/proc") if name.isdigit()),
        "hostname": os.uname().nodename,
        "subprocess": subprocess.__file__,
    }
"""


def test_an_environment_of_its_own_forks_its_jobs_from_a_template_on_its_python(
    server: RealServer,
) -> None:
    """Python 3.8: its first job starts afresh (nothing is warm); the template it then gets
    runs on that Python with six imported, and forks the next jobs, each as confined as
    the others and none seeing what the one before changed in memory."""
    source = inline_declared(OWN_PYTHON_PROGRAM, requirements="six==1.16.0", python="==3.8.*")
    created = upload_source(server, source)
    assert created.status_code == 200, created.text
    program = created.json()["id"]
    first = run_job(server, program, {"mark": "first"})
    assert first["status"] == "COMPLETED", first["logs"] + first["results"]
    assert "runtime_kit_sandbox" not in json.loads(first["results"])["command"]
    deadline = time.monotonic() + DEADLINE_S
    with server.http() as client:
        while not (environments := client.get("/health").json()["warm_environments"])["templates"]:
            assert not environments["template_failures"], environments
            assert time.monotonic() < deadline, environments
            time.sleep(0.2)
    outcomes = []
    for mark in ("second", "third"):
        job = run_job(server, program, {"mark": mark})
        assert job["status"] == "COMPLETED", job["logs"] + job["results"]
        outcomes.append(json.loads(job["results"]))
    for outcome in outcomes:
        assert outcome["python"] == "3.8" and "python3.8" in outcome["subprocess"]
        assert outcome["command"][:3] == [outcome["command"][0], "-I", "-c"], outcome
        assert "runtime_kit_sandbox" in outcome["command"][3], outcome  # the template's boot
        assert outcome["seen"] is None  # neither the template's nor another job's change
        assert outcome["uid"] != 0 and outcome["hostname"] == "runtime-kit-job"
        assert outcome["pid"] == 2 and outcome["processes"] == [1, 2]  # its pid namespace
    with server.http() as client:
        health = client.get("/health").json()
    assert health["job_start"]["path"] == "fork"
    assert "one of each environment of its own" in health["job_start"]["reason"]


SLEEPER_PROGRAM = """
import time


def main(backend, user_messenger, seconds=0, **kwargs):
    time.sleep(seconds)
    return {"slept": seconds}
"""


def environment_processes(key: str) -> dict[int, int]:
    """The processes running a template's boot on the interpreter of environment ``key`` (a
    prefix): templates and the jobs they forked, which share their command line; by pid,
    their parent's pid."""
    found = {}
    for entry in Path("/proc").iterdir():
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
            parent = int((entry / "stat").read_text().rpartition(")")[2].split()[1])
        except (OSError, ValueError):
            continue
        if len(command) > 3 and b"runtime_kit_sandbox" in command[3] and key.encode() in command[0]:
            found[int(entry.name)] = parent
    return found


def template_processes(server: RealServer, key: str) -> list[int]:
    """Pids of the templates of environment ``key``: the service's own children."""
    assert server.process is not None
    service = server.process.pid
    return sorted(pid for pid, parent in environment_processes(key).items() if parent == service)


@pytest.mark.service
def test_a_template_given_up_ends_once_the_job_it_forked_has_ended(tmp_path: Path) -> None:
    """``--warm-environments 1``: a second environment's template replaces the first's, which
    ends once its running job has ended (completed: not killed with it)."""
    server = RealServer(
        tmp_path / "data", "--environments-dir", str(tmp_path / "envs"), "--warm-environments", "1"
    ).start()
    try:
        programs, keys = [], []
        for six in ("1.16.0", "1.15.0"):
            source = inline_declared(SLEEPER_PROGRAM, requirements=f"six=={six}", python="==3.8.*")
            created = upload_source(server, source, name=f"six-{six}")
            assert created.status_code == 200, created.text
            programs.append(created.json()["id"])
        assert run_job(server, programs[0], {})["status"] == "COMPLETED"
        keys.append(templates(server, besides="")[0])
        (first,) = template_processes(server, keys[0])
        with server.http() as client:
            long_job = client.post(
                "/jobs", json={"program_id": programs[0], "params": {"seconds": 12}}
            )
            assert long_job.status_code == 200, long_job.text
            job_id = long_job.json()["id"]
            deadline = time.monotonic() + DEADLINE_S
            while client.get(f"/jobs/{job_id}").json()["status"] != "RUNNING":
                assert time.monotonic() < deadline
                time.sleep(0.1)
        assert run_job(server, programs[1], {})["status"] == "COMPLETED"
        keys.append(templates(server, besides=keys[0])[0])
        assert template_processes(server, keys[0]) == [first]  # given up, but its job runs on
        with server.http() as client:
            status = client.get(f"/jobs/{job_id}").json()["status"]
            assert status == "RUNNING", "the machine is too slow for this test's 12 s job"
        ended = finished(server, job_id)
        assert ended["status"] == "COMPLETED", ended
        # that job's environment is the last whose job ended: it gets a template anew, and
        # the one given up ends now, as does the second environment's (given up in turn)
        assert templates(server, besides=keys[1]) == [keys[0]]
        deadline = time.monotonic() + 60
        while first in template_processes(server, keys[0]) or template_processes(server, keys[1]):
            assert time.monotonic() < deadline, "a template given up did not end"
            time.sleep(0.1)
        assert len(template_processes(server, keys[0])) == 1
    finally:
        server.stop()
    deadline = time.monotonic() + 30  # the service's stop ends its templates and their jobs
    while environment_processes(keys[0]):
        assert time.monotonic() < deadline, environment_processes(keys[0])
        time.sleep(0.1)


def templates(server: RealServer, *, besides: str) -> list[str]:
    """The environments with a template, once there is one that is not ``besides``."""
    deadline = time.monotonic() + DEADLINE_S
    with server.http() as client:
        while time.monotonic() < deadline:
            environments = client.get("/health").json()["warm_environments"]
            assert not environments["template_failures"], environments
            if environments["templates"] and environments["templates"] != [besides]:
                return list(environments["templates"])
            time.sleep(0.2)
    raise AssertionError(f"no template in {DEADLINE_S} s: {environments}")


TERRA_023_BELL = """
import os

import qiskit
from qiskit import QuantumCircuit, transpile


def main(backend, user_messenger, **kwargs):
    circuit = QuantumCircuit(2)
    circuit.h(0)
    circuit.cx(0, 1)
    circuit.measure_all()
    counts = backend.run(transpile(circuit, backend), shots=200).result().get_counts()
    with open("/proc/self/cmdline", "rb") as handle:
        command = [part.decode() for part in handle.read().split(b"\\0") if part]
    return {"counts": counts, "terra": qiskit.__version__, "command": command}
"""


@pytest.mark.service
def test_a_terra_023_template_forks_jobs_that_run_aer(tmp_path: Path) -> None:
    """An environment of 2023 (qiskit-terra 0.23, Aer 0.12 with its OpenMP pool, Python
    3.10): its template imports them single-threaded, and the jobs it forks simulate."""
    program = tmp_path / "bell"
    program.mkdir()
    for name in ("requirements.txt", ".python-version"):
        (program / name).write_text((PROGRAMS / "terra023-vqe" / name).read_text())
    (program / "program.py").write_text(TERRA_023_BELL)
    metadata = {"name": "bell-2023", "description": "a Bell pair", "max_execution_time": 300}
    (program / "metadata.json").write_text(json.dumps(metadata))
    ENVIRONMENTS.mkdir(parents=True, exist_ok=True)  # shared: the same set, built once
    server = RealServer(tmp_path / "data", "--environments-dir", str(ENVIRONMENTS)).start()
    try:
        created = upload(server, program)
        assert created.status_code == 200, created.text
        outcomes = []
        for _ in range(3):
            job = run_job(server, created.json()["id"], {})
            assert job["status"] == "COMPLETED", job["logs"] + job["results"]
            outcomes.append(json.loads(job["results"]))
            templates(server, besides="")  # the next job is forked from it
        with server.http() as client:
            template = client.get("/health").json()["warm_environments"]
    finally:
        server.stop()
    for number, outcome in enumerate(outcomes):
        assert outcome["terra"].startswith("0.23.")
        assert set(outcome["counts"]) <= {"00", "11"} and sum(outcome["counts"].values()) == 200
        forked = "runtime_kit_sandbox" in " ".join(outcome["command"])
        assert forked == (number > 0), (number, outcome["command"], template)
