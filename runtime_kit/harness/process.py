"""``ProgramProcess``: one program's process (``harness/child.py``), from warm start to end.

The process is started before its job is known: it applies its memory limit and imports
qiskit and Aer, then waits for one job on stdin.  ``runtime-kit run`` starts one per run (its
imports overlap the parent's checks); the service keeps a pool of them warm.  Each runs in a
session of its own, so ``kill()`` ends everything the program started.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from runtime_kit.harness import frames
from runtime_kit.sandbox.warm_template import JOBSIDE_DIR, ForkedChild

if TYPE_CHECKING:
    from runtime_kit.sandbox.warm_template import WarmTemplate

#: Logs kept per job; beyond it the rest is dropped (and the cut is said in the logs).
MAX_LOG_BYTES = 8 * 1024 * 1024
_GRACE_S = 10.0


class Outcome(NamedTuple):
    """How the process ended: ``timed_out`` (killed at the limit), else its return code."""

    timed_out: bool
    returncode: int | None
    logs: str


class ProgramProcess:
    """A warm harness child.

    Args:
        cwd: its working directory until the job moves it to the program's.
        memory_mib: address-space limit it sets itself (0: none; a service confines its
            jobs before they start instead).
        wrap: turns the child's command into the one to run (a confinement, see
            ``runtime_kit.sandbox.isolation``).
        env: its whole environment (default: this process's, for ``runtime-kit run``).
        max_log_bytes: logs kept; beyond it the rest is dropped (and the cut is said).
        python: the interpreter of the program's own environment, which runs the
            standard-library runner of ``runtime_kit.jobside`` (default: runtime-kit's own
            interpreter and ``harness/child.py``).
        prepare: backends (``BackendSpec`` lists) runtime-kit's own child prepares while it
            waits for its job (not the runner of a program's environment).
    """

    def __init__(
        self,
        cwd: Path,
        memory_mib: int,
        wrap: Callable[[list[str]], list[str]] | None = None,
        env: dict[str, str] | None = None,
        max_log_bytes: int = MAX_LOG_BYTES,
        python: Path | None = None,
        prepare: Sequence[Sequence[str]] = (),
    ) -> None:
        read_end, write_end = os.pipe()
        env = {**os.environ, "PYTHONUNBUFFERED": "1"} if env is None else env
        command = [*child_command(python), str(write_end), str(memory_mib)]
        if prepare and python is None:
            command.append(json.dumps([list(spec) for spec in prepare]))
        try:
            popen = subprocess.Popen(
                wrap(command) if wrap else command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                pass_fds=(write_end,),
                cwd=cwd,
                env=env,
                start_new_session=True,
            )
        except BaseException:
            os.close(read_end)
            raise
        finally:
            os.close(write_end)
        self._attach(popen, read_end, max_log_bytes)

    @classmethod
    def forked(
        cls,
        template: WarmTemplate,
        plan: dict[str, Any],
        max_log_bytes: int,
        reads: Sequence[str] = (),
    ) -> ProgramProcess:
        """A job's process forked by a warm template (``plan``, ``reads``: see
        ``WarmTemplate.spawn``)."""
        read_end, write_end = os.pipe()
        try:
            child = template.spawn(plan, write_end, reads)
        except BaseException:
            os.close(read_end)
            raise
        process = cls.__new__(cls)
        process._attach(child, read_end, max_log_bytes)
        return process

    def _attach(
        self, popen: subprocess.Popen[bytes] | ForkedChild, frames_fd: int, max_log_bytes: int
    ) -> None:
        self._popen = popen
        self.max_log_bytes = max_log_bytes
        self._frames_fd = frames_fd
        self._stdin_lock = threading.Lock()
        self._logs = bytearray()
        self._logs_cut = False

    def alive(self) -> bool:
        return self._popen.poll() is None

    def send(self, job: dict[str, Any], *, keep_stdin: bool = False) -> None:
        """Hand the process its job (see ``child.run_job`` for the fields).  ``keep_stdin``:
        leave stdin open for ``reply`` (a job whose backend has a broker), else close it."""
        assert self._popen.stdin is not None
        self._popen.stdin.write((json.dumps(job) + "\n").encode())
        if keep_stdin:
            self._popen.stdin.flush()
        else:
            self._popen.stdin.close()

    def reply(self, message: dict[str, Any]) -> bool:
        """Write one JSON line to the process's stdin (a broker's answer); False if the
        process has gone (or its stdin was closed)."""
        line = (json.dumps(message) + "\n").encode()
        with self._stdin_lock:
            stdin = self._popen.stdin
            if stdin is None or stdin.closed:
                return False
            try:
                stdin.write(line)
                stdin.flush()
            except (OSError, ValueError):
                return False
        return True

    def call_off(self) -> None:
        """No job will come: let the process end, and release its pipes."""
        with contextlib.suppress(OSError):
            self._popen.stdin.close()  # type: ignore[union-attr]
        try:
            self._popen.wait(timeout=_GRACE_S)
        except subprocess.TimeoutExpired:
            self.kill()
        self._close_pipes()

    def watch_unused(self, limit: float) -> Outcome:
        """Call the process off (no job will come) and watch it end: a probe."""
        assert self._popen.stdin is not None
        self._popen.stdin.close()
        return self.watch(limit, lambda kind, payload: None)

    def kill(self) -> None:
        """End the process and everything it started (its whole session; a forked job's
        pid namespace)."""
        if isinstance(self._popen, ForkedChild):
            self._popen.kill()
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self._popen.pid, signal.SIGKILL)

    @property
    def pid(self) -> int:
        return self._popen.pid

    def watch(
        self,
        limit: float | None,
        on_frame: Callable[[str, str], None],
        *,
        on_log: Callable[[bytes], None] | None = None,
        check: Callable[[], bool] | None = None,
        check_every_s: float = 1.0,
        max_frame_bytes: int | None = None,
    ) -> Outcome:
        """Deliver each frame to ``on_frame(kind, payload)`` and each chunk of its output to
        ``on_log`` as they come, until the process ends or ``limit`` seconds pass (then it
        is killed); ``check()`` is called every ``check_every_s`` and kills it when true.
        A frame over ``max_frame_bytes`` is refused from its header (``frames.OVERSIZED``).
        Collects its logs (up to ``max_log_bytes``)."""
        readers = [
            threading.Thread(
                target=self._read_frames, args=(on_frame, max_frame_bytes), daemon=True
            ),
            threading.Thread(target=self._read_logs, args=(on_log,), daemon=True),
        ]
        for reader in readers:
            reader.start()
        timed_out = False
        try:
            timed_out = self._wait(limit, check, check_every_s)
        except BaseException:  # Ctrl-C: the process has its own session and would live on
            self.kill()
            raise
        for reader in readers:
            reader.join(timeout=_GRACE_S)
        self._close_pipes()
        logs = self._logs.decode("utf-8", "replace")
        if self._logs_cut:
            logs += f"\n[runtime-kit: logs cut at {self.max_log_bytes} bytes]\n"
        return Outcome(timed_out, self._popen.returncode, logs)

    def _wait(self, limit: float | None, check: Callable[[], bool] | None, every_s: float) -> bool:
        """Wait for the end; True when the time limit ended it."""
        deadline = None if limit is None else time.monotonic() + limit
        while True:
            step = None if check is None else every_s
            if deadline is not None:
                left = deadline - time.monotonic()
                step = left if step is None else min(step, left)
            try:
                self._popen.wait(timeout=None if step is None else max(step, 0))
                return False
            except subprocess.TimeoutExpired:
                pass
            if deadline is not None and time.monotonic() >= deadline:
                self.kill()
                self._popen.wait()
                return True
            if check is not None and check():
                self.kill()
                self._popen.wait()
                return False

    def _read_frames(
        self, on_frame: Callable[[str, str], None], max_frame_bytes: int | None
    ) -> None:
        fd, self._frames_fd = self._frames_fd, -1  # read_frames owns (and closes) it now
        for kind, payload in frames.read_frames(fd, max_frame_bytes):
            on_frame(kind, payload)

    def _read_logs(self, on_log: Callable[[bytes], None] | None) -> None:
        stream = self._popen.stdout
        assert stream is not None
        for chunk in iter(lambda: stream.read1(65536), b""):  # type: ignore[attr-defined]
            room = self.max_log_bytes - len(self._logs)
            if room > 0:
                self._logs += chunk[:room]
                if on_log is not None:
                    on_log(chunk[:room])
            self._logs_cut = self._logs_cut or len(chunk) > room

    def _close_pipes(self) -> None:
        with self._stdin_lock, contextlib.suppress(OSError, ValueError):
            self._popen.stdin.close()  # type: ignore[union-attr]
        with contextlib.suppress(OSError, ValueError):
            self._popen.stdout.close()  # type: ignore[union-attr]
        if self._frames_fd >= 0:
            with contextlib.suppress(OSError):
                os.close(self._frames_fd)
            self._frames_fd = -1


def child_command(python: Path | None) -> list[str]:
    """The command of a job's process, before its frames fd and memory limit: runtime-kit's
    own child, or the job-side runner on the interpreter of a program's environment."""
    if python is None:
        return [sys.executable, "-m", "runtime_kit.harness.child"]
    from runtime_kit.jobside import BOOT

    return [str(python), "-I", "-c", BOOT, str(JOBSIDE_DIR)]


def signal_of(returncode: int | None, sandboxed: bool = False) -> int | None:
    """The signal that ended a process, from its return code (a sandbox such as bubblewrap
    reports a child killed by signal N as exit status 128 + N)."""
    if returncode is None:
        return None
    if returncode < 0:
        return -returncode
    if sandboxed and 128 < returncode < 128 + 65:
        return returncode - 128
    return None


def describe_exit(returncode: int | None, sandboxed: bool = False) -> str:
    """What ended a process that never reported a result."""
    number = signal_of(returncode, sandboxed)
    if number is not None:
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = f"signal {number}"
        return f"the program's process was killed by {name} before main() returned"
    return f"the program's process exited with code {returncode} before main() returned"
