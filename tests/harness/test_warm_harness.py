"""The warm harness: from a process's second run on, program processes are forked from a
template, and each is still the process a fresh one would be."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from runtime_kit.harness import warm_harness
from runtime_kit.harness.record import CANCELLED, DONE, ERROR
from runtime_kit.harness.runner import run_program
from tests.harness.test_run import make_program

PROBE = """
import os, resource, sys

def main(backend, user_messenger):
    from runtime_kit.sandbox import thread_pools

    seen = getattr(sys, "probe_seen", False)
    sys.probe_seen = True
    return {
        "pid": os.getpid(),
        "ppid": os.getppid(),
        "session": os.getsid(0),
        "cwd": os.getcwd(),
        "variable": os.environ.get("PROBE_VARIABLE"),
        "seen": seen,
        "memory": resource.getrlimit(resource.RLIMIT_AS)[0],
        "threads": {
            path.rsplit("/", 1)[-1]: count for path, count in thread_pools.thread_counts().items()
        },
        "descriptors": [fd for fd in range(64) if _open(fd)],
    }


def _open(fd):
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True
"""


@pytest.fixture
def fresh_harness() -> Iterator[None]:
    warm_harness.close()
    yield
    warm_harness.close()


def _warm(program: Path) -> int:
    """Run until the template is ready; its pid."""
    deadline = time.monotonic() + 120
    while True:
        assert run_program(program, seed=1).status == DONE
        state = warm_harness.state()
        if state["ready"]:
            assert isinstance(state["pid"], int)
            return state["pid"]
        assert state["failure"] is None, state["failure"]
        assert time.monotonic() < deadline, state
        time.sleep(0.5)


def _probe(program: Path) -> dict[str, Any]:
    record = run_program(program, seed=2, memory_mib=3000)
    assert record.status == DONE, record.error
    result: dict[str, Any] = record.result
    return result


def test_runs_after_the_second_are_forked_and_each_is_a_fresh_process(
    tmp_path: Path, fresh_harness: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    program = make_program(tmp_path / "probe", PROBE)
    first = _probe(program)
    assert first["ppid"] == os.getpid()  # the first run starts afresh
    template = _warm(program)
    monkeypatch.setenv("PROBE_VARIABLE", "set after the template started")
    forked = [_probe(program) for _ in range(2)]
    for probe in forked:
        assert probe["ppid"] == template
        assert probe["session"] == probe["pid"]  # a session of its own
        assert probe["cwd"] == str(program)
        assert probe["variable"] == "set after the template started"
        assert probe["seen"] is False  # nothing of one run is in the next
        assert probe["memory"] == 3000 * 1024 * 1024
        assert probe["threads"] == first["threads"]
        assert probe["descriptors"] == [0, 1, 2, 3]  # stdin, logs (1 and 2), frames
    assert forked[0]["pid"] != forked[1]["pid"]


def test_a_forked_run_that_runs_too_long_is_ended_with_what_it_started(
    tmp_path: Path, fresh_harness: None
) -> None:
    _warm(make_program(tmp_path / "probe", PROBE))
    program = make_program(
        tmp_path / "slow",
        """
        import subprocess, time

        def main(backend, user_messenger):
            child = subprocess.Popen(["sleep", "300"])
            user_messenger.publish(child.pid)
            time.sleep(300)
        """,
    )
    record = run_program(program, timeout=3)
    assert record.status == CANCELLED
    [sleeper] = record.interim_results
    deadline = time.monotonic() + 30
    while Path(f"/proc/{sleeper}").exists() and _state(sleeper) != "Z":
        assert time.monotonic() < deadline, "the program's own child outlived the run"
        time.sleep(0.1)


def test_a_forked_run_killed_by_a_signal_says_which(tmp_path: Path, fresh_harness: None) -> None:
    _warm(make_program(tmp_path / "probe", PROBE))
    program = make_program(
        tmp_path / "crash",
        "def main(backend, user_messenger):\n    import ctypes\n    ctypes.string_at(0)\n",
    )
    record = run_program(program)
    assert record.status == ERROR
    assert "killed by SIGSEGV before main() returned" in record.error


def test_a_template_that_died_is_replaced(tmp_path: Path, fresh_harness: None) -> None:
    program = make_program(tmp_path / "probe", PROBE)
    template = _warm(program)
    os.kill(template, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while _state(template) not in ("Z", None):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert _probe(program)["ppid"] == os.getpid()  # this run starts afresh
    assert _warm(program) != template


def test_runtime_kit_warm_harness_0_starts_every_run_afresh(
    tmp_path: Path, fresh_harness: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUNTIME_KIT_WARM_HARNESS", "0")
    program = make_program(tmp_path / "probe", PROBE)
    for _ in range(3):
        assert _probe(program)["ppid"] == os.getpid()
    assert warm_harness.state()["pid"] is None


def _state(pid: int) -> str | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return None


def test_a_forked_runs_output_comes_in_the_order_it_was_written(
    tmp_path: Path, fresh_harness: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Unbuffered as a fresh child's, whatever the caller's environment says."""
    monkeypatch.delenv("PYTHONUNBUFFERED", raising=False)
    _warm(make_program(tmp_path / "probe", PROBE))
    program = make_program(
        tmp_path / "talk",
        """
        import sys

        def main(backend, user_messenger):
            print("out 1")
            print("err", file=sys.stderr)
            print("out 2")
            return 0
        """,
    )
    record = run_program(program)
    assert record.status == DONE, record.error
    assert record.logs == "out 1\nerr\nout 2\n"


def test_a_run_while_a_startup_variable_differs_starts_afresh(
    tmp_path: Path, fresh_harness: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``PYTHONHASHSEED``, ``PYTHONWARNINGS``, ``OMP_*``...: read when an interpreter or a
    library starts, so the template's would be the run's."""
    program = make_program(tmp_path / "probe", PROBE)
    template = _warm(program)
    monkeypatch.setenv("PYTHONHASHSEED", "1234")
    assert _probe(program)["ppid"] == os.getpid()
    monkeypatch.delenv("PYTHONHASHSEED")
    assert _probe(program)["ppid"] == template


@pytest.mark.parametrize("value", ["1", "0", "many"])
def test_a_forked_run_has_the_thread_counts_omp_num_threads_gives_a_fresh_one(
    tmp_path: Path, fresh_harness: None, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    """Each library's pool (Aer's OpenMP and OpenBLAS, numpy's OpenBLAS) as a fresh run has
    it with ``OMP_NUM_THREADS`` set, which all of them read (a value that is not a positive
    count: as if unset)."""
    monkeypatch.setenv("OMP_NUM_THREADS", value)
    program = make_program(tmp_path / "probe", PROBE)
    fresh = _probe(program)
    assert fresh["ppid"] == os.getpid()
    template = _warm(program)
    forked = _probe(program)
    assert forked["ppid"] == template
    assert forked["threads"] == fresh["threads"]
    if value == "1":
        assert set(fresh["threads"].values()) == {1}


def test_a_forked_run_that_cannot_start_says_why(tmp_path: Path, fresh_harness: None) -> None:
    """Its directory gone: a plain run confines nothing, so it says what it could not do."""
    _warm(make_program(tmp_path / "probe", PROBE))
    # forked (a fresh child's Popen would raise FileNotFoundError here instead)
    process = warm_harness.program_process(tmp_path / "gone", memory_mib=0)
    outcome = process.watch_unused(30)
    assert (outcome.timed_out, outcome.returncode) == (False, 125)
    assert outcome.logs.startswith("runtime-kit: cannot start the program's process: [Errno 2]")


def _in_forked_child(program: Path, answers: Any) -> None:
    state = warm_harness.state()
    answers.send((state["runs"], state["pid"], _probe(program)["ppid"], os.getpid()))


def test_a_process_forked_from_the_caller_starts_its_own_runs(
    tmp_path: Path, fresh_harness: None
) -> None:
    """multiprocessing's fork: the child shares nothing of the caller's template (it would
    read the replies meant for the caller), and the caller's template goes on serving it."""
    import multiprocessing

    program = make_program(tmp_path / "probe", PROBE)
    template = _warm(program)
    context = multiprocessing.get_context("fork")
    ours, theirs = context.Pipe()
    child = context.Process(target=_in_forked_child, args=(program, theirs))
    child.start()
    try:
        assert ours.poll(120), "the forked child said nothing"
        runs, pid, ppid, child_pid = ours.recv()
    finally:
        child.join(30)
    assert (runs, pid) == (0, None)  # nothing inherited
    assert ppid == child_pid  # its run started afresh
    assert child.exitcode == 0
    assert _probe(program)["ppid"] == template
