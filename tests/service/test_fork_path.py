"""The fork path (``serve --job-start fork``): jobs forked from a warm template, and each trap
of forking a process that has imported qiskit and Aer (issue 25), against a real service.

The hostile and contract suites run on this path too (parametrized); these tests are about
the template itself: what it holds, that a job cannot reach it or the next job, and the
traps (Rayon, OpenBLAS/OpenMP threads, a thread before ``unshare``, reseeding, pid 1).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.service.real_server import RealServer, free_port
from tests.service.test_hostile_jobs import Stage, _processes_with, _sandbox_usable
from tests.service.test_hostile_jobs import job_start_usable as _job_start_usable

THREADS = 2


@pytest.fixture(scope="module")
def forked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stage]:
    root = tmp_path_factory.mktemp("forked")
    unusable = _sandbox_usable(root / "probe") or _job_start_usable("fork")
    if unusable:
        pytest.skip(f"jobs cannot be forked here: {unusable}")
    server = RealServer(
        root / "data", "--job-start", "fork", "--job-threads", str(THREADS),
        "--expensive-per-min", "1000",
    ).start()  # fmt: skip
    try:
        yield Stage(server)
    finally:
        server.stop()


def _health(stage: Stage) -> dict[str, Any]:
    with stage.http(stage.server.token) as http:
        health: dict[str, Any] = http.get("/health").json()
    return health


def _template_pid(stage: Stage) -> int:
    pid: int = _health(stage)["job_start"]["template"]["pid"]
    return pid


def _run(stage: Stage, source: str, name: str, **params: Any) -> tuple[dict[str, Any], Any]:
    """Upload ``source`` as the attacker's program ``name``, run it; (job, result)."""
    program = stage.upload(stage.attacker, name, textwrap.dedent(source))
    job = stage.wait(stage.attacker, stage.submit(stage.attacker, program, params))
    with stage.http(stage.attacker) as http:
        result = http.get(f"/jobs/{job['id']}/results")
        logs = http.get(f"/jobs/{job['id']}/logs").text
    assert job["status"] == "COMPLETED", (job, result.text, logs)
    return job, result.json()


@pytest.mark.service
def test_health_says_jobs_are_forked_from_a_single_threaded_template(forked: Stage) -> None:
    job_start = _health(forked)["job_start"]
    assert job_start["asked"] == "fork" and job_start["path"] == "fork"
    assert "warm template" in job_start["reason"]
    template = job_start["template"]
    assert template["threads"] == 1  # nothing but its main thread when it forks
    assert Path(f"/proc/{template['pid']}").is_dir()


@pytest.mark.service
def test_the_template_holds_no_secret_and_no_file_of_the_service(forked: Stage) -> None:
    pid = _template_pid(forked)
    environ = Path(f"/proc/{pid}/environ").read_bytes()
    assert forked.server.token.encode() not in environ
    assert b"QISKIT_IN_PARALLEL=TRUE" in environ  # warmed without Rayon's pool
    assert Path(f"/proc/{pid}/cwd").resolve() == Path("/")
    targets = [os.readlink(fd) for fd in Path(f"/proc/{pid}/fd").iterdir()]
    data_dir = str(forked.server.data_dir)
    assert not [target for target in targets if target.startswith(data_dir)], targets
    assert sum(target.startswith("socket:") for target in targets) == 1, targets  # control


NEIGHBOUR = """
import os, sys

import numpy
import qiskit


def main(backend, user_messenger, write):
    seen = {
        "module": getattr(qiskit, "LEFT_BY_A_JOB", None),
        "sys": getattr(sys, "LEFT_BY_A_JOB", None),
        "environ": os.environ.get("LEFT_BY_A_JOB"),
        "job_file": os.path.exists("/job/left-by-a-job"),
        "tmp_file": os.path.exists("/tmp/left-by-a-job"),
        "shm_file": os.path.exists("/dev/shm/left-by-a-job"),
        "numpy_errors": numpy.geterr()["divide"],
    }
    if write:
        qiskit.LEFT_BY_A_JOB = sys.LEFT_BY_A_JOB = "yes"
        os.environ["LEFT_BY_A_JOB"] = "yes"
        for path in ("/job/left-by-a-job", "/tmp/left-by-a-job", "/dev/shm/left-by-a-job"):
            with open(path, "w") as handle:
                handle.write("yes")
        numpy.seterr(divide="raise")
    return seen
"""


@pytest.mark.service
def test_a_job_cannot_affect_the_next_one(forked: Stage) -> None:
    _, first = _run(forked, NEIGHBOUR, "neighbour", write=True)
    _, second = _run(forked, NEIGHBOUR, "neighbour-2", write=False)
    clean = {
        "module": None, "sys": None, "environ": None, "job_file": False, "tmp_file": False,
        "shm_file": False, "numpy_errors": "warn",
    }  # fmt: skip
    assert first == clean
    assert second == clean


REACH_TEMPLATE = """
import ctypes, os, signal


def main(backend, user_messenger, template_pid):
    def attempt(action):
        try:
            action()
            return "ok"
        except OSError as exc:
            return type(exc).__name__

    libc = ctypes.CDLL(None, use_errno=True)

    def ptrace_attach():
        if libc.ptrace(16, template_pid, 0, 0) != 0:  # PTRACE_ATTACH
            raise OSError(ctypes.get_errno(), "ptrace")

    return {
        "kill": attempt(lambda: os.kill(template_pid, signal.SIGKILL)),
        "probe": attempt(lambda: os.kill(template_pid, 0)),
        "ptrace": attempt(ptrace_attach),
        "proc": os.path.exists(f"/proc/{template_pid}/cmdline"),
        "pid_1_sigkill": attempt(lambda: os.kill(1, signal.SIGKILL)),
    }
"""


@pytest.mark.service
def test_a_job_cannot_signal_or_ptrace_the_template(forked: Stage) -> None:
    pid = _template_pid(forked)
    _, seen = _run(forked, REACH_TEMPLATE, "reach", template_pid=pid)
    assert seen["kill"] != "ok" and seen["probe"] != "ok" and seen["ptrace"] != "ok", seen
    assert seen["proc"] is False
    assert seen["pid_1_sigkill"] == "ok"  # its own pid 1 ignores it (init of its namespace)
    assert _template_pid(forked) == pid and Path(f"/proc/{pid}").is_dir()


RAYON = """
from qiskit import transpile
from qiskit.circuit.random import random_circuit
from qiskit.providers.fake_provider import GenericBackendV2


def main(backend, user_messenger):
    device = GenericBackendV2(num_qubits=20, seed=1)
    circuits = [random_circuit(12, 8, seed=number, measure=True) for number in range(4)]
    # Level 3: Sabre's layout and routing trials run on Rayon's pool, in the job.
    done = transpile(circuits, device, optimization_level=3, seed_transpiler=5)
    return [circuit.num_qubits for circuit in done]
"""


@pytest.mark.service
def test_the_transpiler_runs_in_a_job_forked_after_the_template_transpiled(
    forked: Stage,
) -> None:
    started = time.monotonic()
    _, result = _run(forked, RAYON, "rayon")  # Stage.wait has a deadline: no hang
    assert result == [20, 20, 20, 20]
    assert time.monotonic() - started < 120


THREAD_COUNTS = """
import os

import numpy
from qiskit import QuantumCircuit
from qiskit_aer import AerSimulator

from runtime_kit.sandbox.thread_pools import thread_counts


def main(backend, user_messenger):
    circuit = QuantumCircuit(2)
    circuit.h(0)
    circuit.cx(0, 1)
    circuit.measure_all()
    counts = AerSimulator().run(circuit, shots=50).result().get_counts()
    return {
        "pools": thread_counts(),
        "rayon": os.environ.get("RAYON_NUM_THREADS"),
        "parallel": os.environ.get("QISKIT_IN_PARALLEL"),
        "shots": sum(counts.values()),
    }
"""


FRESH_COUNTS = """
import json

import numpy, qiskit_aer
from qiskit_aer import AerSimulator

from runtime_kit.sandbox.thread_pools import thread_counts

print(json.dumps(thread_counts()))
"""


@pytest.mark.service
def test_numeric_libraries_run_the_jobs_thread_count_after_the_fork(forked: Stage) -> None:
    """The template loaded them with one thread each; a forked job runs as many as a fresh
    process started with the job's variables (Aer's own OpenBLAS is single-threaded)."""
    _, seen = _run(forked, THREAD_COUNTS, "threads")
    pools = seen["pools"]
    assert any("openblas" in path for path in pools), pools  # numpy's (and Aer's)
    assert any("gomp" in path for path in pools), pools  # Aer's OpenMP
    variables = {name: str(THREADS) for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")}
    fresh = subprocess.run(
        [sys.executable, "-c", FRESH_COUNTS], env={**os.environ, **variables},
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    assert pools == json.loads(fresh.stdout)
    assert max(pools.values()) == THREADS, pools
    assert seen["rayon"] == str(THREADS) and seen["parallel"] is None
    assert seen["shots"] == 50


SEEDS = """
import random

import numpy


def main(backend, user_messenger):
    return {"random": random.random(), "numpy": float(numpy.random.random())}
"""


@pytest.mark.service
def test_each_job_is_reseeded_with_its_own_seed(forked: Stage) -> None:
    firsts = []
    for number in range(2):
        job, seen = _run(forked, SEEDS, f"seeds-{number}")
        with forked.http(forked.attacker) as http:
            seed = http.get(f"/jobs/{job['id']}").json()["seed"]
        expected = random.Random(seed).random()
        import numpy

        numpy.random.seed(seed % 2**32)
        assert seen == {"random": expected, "numpy": float(numpy.random.random())}
        firsts.append(seen)
    assert firsts[0] != firsts[1]


IGNORES_SIGTERM = """
import os, signal, sys

SLEEP = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(600)"


def main(backend, user_messenger, marker):
    os.kill(1, signal.SIGTERM)  # pid 1 of its namespace has no handler: ignored
    user_messenger.publish("still here")
    os.execv(sys.executable, [sys.executable, "-c", f"{SLEEP} # {marker}"])
"""


def _ignoring_sigterm(marker: str) -> bool:
    """Whether the processes with ``marker`` exist and all ignore SIGTERM already."""
    found = _processes_with(marker)
    for pid, _ in found:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            return False
        ignored = int(next(line for line in status.splitlines() if "SigIgn" in line).split()[1], 16)
        if not ignored & (1 << (signal.SIGTERM - 1)):
            return False
    return bool(found)


@pytest.mark.service
def test_pid_1_ignores_sigterm_and_cancel_still_ends_the_job(forked: Stage) -> None:
    marker = f"ignores-sigterm-{os.getpid()}-{time.monotonic_ns()}"
    program = forked.upload(forked.attacker, "stubborn", IGNORES_SIGTERM)
    job_id = forked.submit(forked.attacker, program, {"marker": marker})
    deadline = time.monotonic() + 60
    while not _ignoring_sigterm(marker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _ignoring_sigterm(marker), "the job never got to sleep"
    for pid, _ in _processes_with(marker):
        os.kill(pid, signal.SIGTERM)  # ignored: the job asked for it
    with forked.http(forked.attacker) as http:
        assert http.get(f"/jobs/{job_id}").json()["status"] == "RUNNING"
        started = time.monotonic()
        assert http.post(f"/jobs/{job_id}/cancel").status_code == 204
    while _processes_with(marker) and time.monotonic() - started < 10:
        time.sleep(0.05)
    assert _processes_with(marker) == []
    assert time.monotonic() - started < 10
    assert forked.wait(forked.attacker, job_id)["status"] == "CANCELLED"


# --- the thread trap, without a service ----------------------------------------------------

UNSHARE_WITH_A_THREAD = """
import sys, threading, time
sys.path.insert(0, {root!r})
from runtime_kit.sandbox import linux

if sys.argv[1] == "thread":
    threading.Thread(target=time.sleep, args=(5,), daemon=True).start()
try:
    linux.unshare(linux.CLONE_NEWUSER)
    print("unshared")
except OSError as exc:
    print(exc.errno)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux namespaces")
def test_a_second_thread_makes_unshare_fail_which_is_why_the_child_unshares_first(
    tmp_path: Path,
) -> None:
    root = str(Path(__file__).resolve().parents[2])
    script = tmp_path / "unshare.py"
    script.write_text(UNSHARE_WITH_A_THREAD.format(root=root))
    alone = subprocess.run(
        [sys.executable, str(script), "alone"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if alone.stdout.strip() != "unshared":
        pytest.skip(f"no user namespaces here: {alone.stdout}{alone.stderr}")
    threaded = subprocess.run(
        [sys.executable, str(script), "thread"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert threaded.stdout.strip() == "22"  # EINVAL


def test_fork_where_it_cannot_be_set_up_refuses_to_start(tmp_path: Path) -> None:
    command = [
        str(Path(sys.executable).with_name("runtime-kit")), "serve", "--port", str(free_port()),
        "--data-dir", str(tmp_path / "data"), "--sandbox", "none", "--job-start", "fork",
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 3, done.stderr
    assert done.stderr.strip().splitlines()[-1] == (
        "error: --job-start fork: jobs are not isolated here (--sandbox none or prefer without "
        "bubblewrap)"
    )


@pytest.mark.service
def test_auto_falls_back_to_exec_and_says_why(tmp_path: Path) -> None:
    server = RealServer(tmp_path / "data", "--sandbox", "none").start()
    try:
        with server.http() as http:
            job_start = http.get("/health").json()["job_start"]
    finally:
        server.stop()
    assert job_start["asked"] == "auto" and job_start["path"] == "exec"
    assert job_start["reason"] == (
        "a fresh process per job: jobs are not isolated here (--sandbox none or prefer "
        "without bubblewrap)"
    )
    assert job_start["template"] is None


@pytest.mark.service
def test_exec_when_asked(tmp_path: Path) -> None:
    server = RealServer(tmp_path / "data", "--job-start", "exec").start()
    try:
        with server.http() as http:
            job_start = http.get("/health").json()["job_start"]
    finally:
        server.stop()
    assert job_start == {
        "asked": "exec",
        "path": "exec",
        "reason": "asked (--job-start exec): a fresh process per job",
        "template": None,
    }


@pytest.mark.service
def test_a_dead_template_is_replaced_before_the_next_job(forked: Stage) -> None:
    """Last in this module: it kills the module's template."""
    dead = _template_pid(forked)
    forks = _children_of(dead)
    assert forks, "no warm worker forked"
    os.kill(dead, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}/cmdline").exists() for pid in forks):
        assert time.monotonic() < deadline, "the template's warm workers outlived it"
        time.sleep(0.05)
    _, result = _run(forked, "def main(backend, user_messenger):\n    return 'after'\n", "after")
    assert result == "after"
    job_start = _health(forked)["job_start"]
    assert job_start["path"] == "fork" and job_start["template"]["pid"] != dead
    assert "worker_failure" not in _health(forked)


def _children_of(parent: int) -> list[int]:
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            lines = status.read_text().splitlines()
        except OSError:
            continue
        ppid = next((line.split()[1] for line in lines if line.startswith("PPid:")), "")
        if ppid == str(parent):
            found.append(int(status.parent.name))
    return found


def test_a_template_whose_interpreter_cannot_run_is_one_line(tmp_path: Path) -> None:
    """An environment's interpreter gone (its environment removed meanwhile): a
    ``TemplateError`` naming it, which the executor says in /health, not a traceback."""
    from runtime_kit.sandbox.warm_template import TemplateError, WarmTemplate

    missing = tmp_path / "env" / "bin" / "python"
    with pytest.raises(TemplateError) as raised:
        WarmTemplate({"reads": []}, None, [], python=missing)
    assert str(raised.value).startswith(f"the warm template cannot start {missing}: ")
    assert "\n" not in str(raised.value)
