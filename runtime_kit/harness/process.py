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
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from runtime_kit.harness import frames

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
        memory_mib: address-space limit (0: none).
        wrapper: a command prefix (e.g. a sandbox) to run the child under.
        env: variables added to its environment (inherited by all it starts).
    """

    def __init__(
        self,
        cwd: Path,
        memory_mib: int,
        wrapper: Sequence[str] = (),
        env: dict[str, str] | None = None,
    ) -> None:
        read_end, write_end = os.pipe()
        env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
        command = [sys.executable, "-m", "runtime_kit.harness.child", str(write_end)]
        try:
            self._popen = subprocess.Popen(
                [*wrapper, *command, str(memory_mib)],
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
        self._frames_fd = read_end
        self._logs = bytearray()
        self._logs_cut = False

    def alive(self) -> bool:
        return self._popen.poll() is None

    def send(self, job: dict[str, Any]) -> None:
        """Hand the process its job (see ``child.run_job`` for the fields)."""
        assert self._popen.stdin is not None
        self._popen.stdin.write((json.dumps(job) + "\n").encode())
        self._popen.stdin.close()

    def call_off(self) -> None:
        """No job will come: let the process end, and release its pipes."""
        with contextlib.suppress(OSError):
            self._popen.stdin.close()  # type: ignore[union-attr]
        try:
            self._popen.wait(timeout=_GRACE_S)
        except subprocess.TimeoutExpired:
            self.kill()
        self._close_pipes()

    def kill(self) -> None:
        """End the process and everything it started (its whole session)."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self._popen.pid, signal.SIGKILL)

    def watch(self, limit: float | None, on_frame: Callable[[str, str], None]) -> Outcome:
        """Deliver each frame to ``on_frame(kind, payload)`` as it comes, until the process
        ends or ``limit`` seconds pass (then it is killed); collects its logs."""
        readers = [
            threading.Thread(target=self._read_frames, args=(on_frame,), daemon=True),
            threading.Thread(target=self._read_logs, daemon=True),
        ]
        for reader in readers:
            reader.start()
        timed_out = False
        try:
            self._popen.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            timed_out = True
            self.kill()
            self._popen.wait()
        except BaseException:  # Ctrl-C: the process has its own session and would live on
            self.kill()
            raise
        for reader in readers:
            reader.join(timeout=_GRACE_S)
        self._close_pipes()
        logs = self._logs.decode("utf-8", "replace")
        if self._logs_cut:
            logs += f"\n[runtime-kit: logs cut at {MAX_LOG_BYTES} bytes]\n"
        return Outcome(timed_out, self._popen.returncode, logs)

    def _read_frames(self, on_frame: Callable[[str, str], None]) -> None:
        fd, self._frames_fd = self._frames_fd, -1  # read_frames owns (and closes) it now
        for kind, payload in frames.read_frames(fd):
            on_frame(kind, payload)

    def _read_logs(self) -> None:
        stream = self._popen.stdout
        assert stream is not None
        for chunk in iter(lambda: stream.read1(65536), b""):
            room = MAX_LOG_BYTES - len(self._logs)
            if room > 0:
                self._logs += chunk[:room]
            self._logs_cut = self._logs_cut or len(chunk) > room

    def _close_pipes(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self._popen.stdout.close()  # type: ignore[union-attr]
        if self._frames_fd >= 0:
            with contextlib.suppress(OSError):
                os.close(self._frames_fd)
            self._frames_fd = -1


def describe_exit(returncode: int | None) -> str:
    """What ended a process that never reported a result."""
    if returncode is not None and returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return f"the program's process was killed by {name} before main() returned"
    return f"the program's process exited with code {returncode} before main() returned"
