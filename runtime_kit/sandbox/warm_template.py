"""The service's side of a warm template (``fork_server.py``): start it, ask it for jobs.

``WarmTemplate`` starts the template as a fresh process (never a fork of the service) with a
job's allow-listed environment and one thread per numeric library, sends it the job layout
and the seccomp filter, and waits until it has warmed up.  Given a program environment's
interpreter (``python``), the template runs on it and forks jobs that run the
standard-library runner of ``runtime_kit.jobside`` over that environment's Qiskit.
``spawn`` hands it one job's plan and pipes and returns a ``ForkedChild``: the part of
``subprocess.Popen`` that ``ProgramProcess`` uses (the job's stdin and logs, its exit
status, a kill by pidfd).  ``WarmTemplate.plain`` starts one that confines nothing, for the
caller's own runs (``runtime_kit.harness.warm_harness``).
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

import runtime_kit.jobside
from runtime_kit.sandbox import fork_server
from runtime_kit.sandbox.environment import job_environment
from runtime_kit.sandbox.fork_server import MAX_MESSAGE, WARM_VARIABLES

#: Seconds a template may take to import and warm up (qiskit, Aer: ~1 s here, idle).
WARM_TIMEOUT_S = 120.0
#: Seconds a spawn may take to be answered.
SPAWN_TIMEOUT_S = 30.0
#: The template's package and the job-side runner of program environments (standard library
#: only), loaded by an environment's interpreter from their directories (it cannot import
#: runtime-kit).
SANDBOX_DIR = Path(fork_server.__file__).resolve().parent
JOBSIDE_DIR = Path(runtime_kit.jobside.__file__).resolve().parent


class TemplateError(RuntimeError):
    """The template cannot start, or cannot fork a job (said in ``/health``)."""


class ForkedChild:
    """A job forked by a template, seen as ``subprocess.Popen``: ``pid``, ``stdin``,
    ``stdout`` (its logs), ``poll``, ``wait``, ``returncode``; and ``kill`` (its first
    process, by pidfd: the rest dies with it, and with its cgroup; a plain job: its whole
    session)."""

    def __init__(
        self,
        pid: int,
        pidfd: int,
        status_fd: int,
        stdin: IO[bytes],
        stdout: IO[bytes],
        session: bool = False,
    ) -> None:
        self.pid = pid
        self.stdin = stdin
        self.stdout = stdout
        self.returncode: int | None = None
        self._pidfd = pidfd
        self._status_fd = status_fd
        self._session = session

    def poll(self) -> int | None:
        if self.returncode is None and _readable(self._status_fd, 0):
            self._read_status()
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            if not _readable(self._status_fd, timeout):
                raise subprocess.TimeoutExpired(f"job {self.pid}", timeout or 0)
            self._read_status()
        assert self.returncode is not None
        return self.returncode

    def kill(self) -> None:
        if self.returncode is not None:
            return
        if self._session:  # its session id: its pid (the process itself, if not yet set)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            signal.pidfd_send_signal(self._pidfd, signal.SIGKILL)

    def _read_status(self) -> None:
        text = os.read(self._status_fd, 64).decode()
        # Nothing: the template died first (and the job with it).
        self.returncode = int(text) if text else -signal.SIGKILL
        os.close(self._status_fd)
        os.close(self._pidfd)


class WarmTemplate:
    """One template process; ``spawn`` is safe from any thread."""

    def __init__(
        self,
        layout: dict[str, Any],
        seccomp: str | None,
        backends: Sequence[Sequence[str]],
        python: Path | None = None,
    ) -> None:
        """``python``: a program environment's interpreter to run on (its installation must
        be among ``layout``'s reads); none: runtime-kit's own."""
        env = {**job_environment("/job", "/tmp", 1), **WARM_VARIABLES}
        if python is None:
            command = [sys.executable, "-m", "runtime_kit.sandbox.fork_server"]
        else:
            command = [str(python), "-I", "-c", fork_server.BOOT, str(SANDBOX_DIR)]
        specs = [list(spec) for spec in backends]
        config = {"layout": layout, "seccomp": seccomp, "backends": specs, "stage": True}
        if python is not None:
            config["jobside"] = str(JOBSIDE_DIR)
        self._start(command, env, config)

    @classmethod
    def plain(cls, env: Mapping[str, str]) -> WarmTemplate:
        """A template of the caller's own runs: it confines nothing and runs on runtime-kit's
        interpreter with ``env`` (the caller's environment), as its jobs do."""
        template = cls.__new__(cls)
        command = [sys.executable, "-m", "runtime_kit.sandbox.fork_server"]
        # Unbuffered as a fresh child is (its jobs' output comes as it is written), and in a
        # session of its own (a Ctrl-C at the caller's terminal is not its).
        env = {**env, **WARM_VARIABLES, "PYTHONUNBUFFERED": "1"}
        template._start(command, env, {"plain": True, "backends": []})
        return template

    def _start(self, command: list[str], env: dict[str, str], config: dict[str, Any]) -> None:
        self._lock = threading.Lock()
        self._plain = bool(config.get("plain"))
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        started = time.monotonic()
        try:
            self._process = subprocess.Popen(
                [*command, str(theirs.fileno())],
                pass_fds=(theirs.fileno(),),
                env=env,
                cwd="/",
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                start_new_session=self._plain,
            )
        except OSError as exc:  # the interpreter is missing or cannot run
            ours.close()
            raise TemplateError(f"the warm template cannot start {command[0]}: {exc}") from exc
        finally:
            theirs.close()
        self._control = ours
        ours.sendall(json.dumps(config).encode())
        self._started = started
        #: what it said when ready: its pid, warm-up seconds, threads at the first fork
        self.ready: dict[str, Any] = {}

    def wait_ready(self) -> None:
        """Wait until it has warmed up (``kill`` from another thread ends the wait).

        Raises:
            TemplateError: it failed to warm up, ended, or took too long.
        """
        try:
            answer = self._answer(WARM_TIMEOUT_S, "warm up")
            if "error" in answer:
                raise TemplateError(f"the warm template cannot start: {answer['error']}")
        except BaseException:
            self.close()
            raise
        self.ready = {**answer, "start_s": round(time.monotonic() - self._started, 3)}

    def kill(self) -> None:
        """End it now (the jobs it forked die with it)."""
        with contextlib.suppress(ProcessLookupError):
            self._process.kill()

    @property
    def pid(self) -> int:
        return self._process.pid

    def alive(self) -> bool:
        return self._process.poll() is None

    def spawn(self, plan: dict[str, Any], frames_fd: int, reads: Sequence[str] = ()) -> ForkedChild:
        """Fork one job (``plan``: ``user``, ``cgroup_procs``, ``rlimits``, ``env``,
        ``threads``), waiting for its stdin line; ``frames_fd``: the write end of its frames
        pipe (closed here); ``reads``: host paths this job alone sees read-only (an
        overlay's directory)."""
        stdin_read, stdin_write = os.pipe2(os.O_CLOEXEC)
        logs_read, logs_write = os.pipe2(os.O_CLOEXEC)
        status_read, status_write = os.pipe2(os.O_CLOEXEC)
        theirs = [stdin_read, logs_write, frames_fd, status_write]
        ours = [stdin_write, logs_read, status_read]
        try:
            for path in reads:
                theirs.append(os.open(path, os.O_PATH | os.O_CLOEXEC))
            with self._lock:
                message = json.dumps({**plan, "reads": [str(path) for path in reads]})
                socket.send_fds(self._control, [message.encode()], theirs)
                answer, fds = self._answer_with_fds(SPAWN_TIMEOUT_S)
        except BaseException:
            for fd in ours:
                os.close(fd)
            raise
        finally:
            for fd in theirs:
                os.close(fd)
        if "error" in answer or not fds:
            for fd in ours + fds:
                os.close(fd)
            raise TemplateError(f"the warm template cannot fork a job: {answer.get('error')}")
        return ForkedChild(
            answer["pid"],
            fds[0],
            status_read,
            open(stdin_write, "wb"),
            open(logs_read, "rb"),
            session=self._plain,
        )

    def forget_inherited(self) -> None:
        """In a process forked from its owner: close this process's end of its socket (the
        template, and the jobs it forked, stay the owner's)."""
        self._control.close()
        self._process.returncode = 0  # not this process's child: never to be waited for

    def close(self) -> None:
        """Stop the template (the jobs it forked die with it)."""
        self._control.close()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

    def _answer(self, timeout: float, what: str) -> dict[str, Any]:
        if not _readable(self._control.fileno(), timeout):
            raise TemplateError(f"the warm template did not {what} within {timeout:g} s")
        message = self._control.recv(MAX_MESSAGE)
        if not message:
            code = self._process.wait(timeout=10)
            raise TemplateError(f"the warm template ended (exit status {code})")
        answer: dict[str, Any] = json.loads(message)
        return answer

    def _answer_with_fds(self, timeout: float) -> tuple[dict[str, Any], list[int]]:
        if not _readable(self._control.fileno(), timeout):
            raise TemplateError(f"the warm template did not answer within {timeout:g} s")
        message, fds, _, _ = socket.recv_fds(self._control, MAX_MESSAGE, 1)
        if not message:
            raise TemplateError("the warm template has ended")
        answer: dict[str, Any] = json.loads(message)
        return answer, fds


def _readable(fd: int, timeout: float | None) -> bool:
    ready, _, _ = select.select([fd], [], [], timeout)
    return bool(ready)
