"""uv, the resolver and installer environments are built with (the PyPI package ``uv``, whose
wheel ships the binary), and how its commands are run: ``Commands``.

uv is never allowed to download a Python (``UV_PYTHON_DOWNLOADS=never``); it reads no user or
project configuration (``--no-config``), and its download cache is the one given.  A command
runs through a ``CommandRunner``: a plain subprocess for ``runtime-kit run``, a sandbox of
its own on the service (``runtime_kit.environments.build_sandbox``); its output goes to a
callback line by line, as it comes.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from runtime_kit.errors import ProgramEnvironmentError

#: What uv's messages are read with, and what the service's own variables never reach.
PASSED_THROUGH = ("SSL_CERT_FILE", "SSL_CERT_DIR", "HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY",
                  "https_proxy", "http_proxy", "no_proxy", "LANG")  # fmt: skip


def uv_binary() -> str:
    """The uv executable of the installed ``uv`` package.

    Raises:
        ProgramEnvironmentError: uv is not installed.
    """
    try:
        from uv import find_uv_bin
    except ImportError as exc:
        raise ProgramEnvironmentError(
            "program environments need uv: pip install uv (a dependency of runtime-kit)"
        ) from exc
    try:
        return str(find_uv_bin())
    except FileNotFoundError as exc:
        raise ProgramEnvironmentError(f"the uv package has no binary: {exc}") from exc


class Finished(Protocol):
    returncode: int


class CommandRunner(Protocol):
    def __call__(
        self,
        command: list[str],
        *,
        env: dict[str, str],
        writable: Sequence[Path],
        readable: Sequence[Path],
        on_line: Callable[[str], None],
        timeout_s: float,
    ) -> int:
        """Run ``command`` (with access to ``writable`` and ``readable`` paths, where the
        runner confines it); each line of its output goes to ``on_line``; its exit status.

        Raises:
            ProgramEnvironmentError: it ran longer than ``timeout_s`` (killed), or could
                not start.
        """


def run_plainly(
    command: list[str],
    *,
    env: dict[str, str],
    writable: Sequence[Path],
    readable: Sequence[Path],
    on_line: Callable[[str], None],
    timeout_s: float,
) -> int:
    """A ``CommandRunner`` with no confinement (``runtime-kit run``: the user's own code)."""
    return stream_process(
        command, env=env, on_line=on_line, timeout_s=timeout_s, cwd=Path(env["HOME"])
    )


def stream_process(
    command: list[str],
    *,
    env: dict[str, str],
    on_line: Callable[[str], None],
    timeout_s: float,
    limits: Callable[[], None] | None = None,
    stop: threading.Event | None = None,
    cwd: Path | None = None,
) -> int:
    """Run ``command``, its output to ``on_line`` line by line; killed at ``timeout_s``, or
    when ``stop`` is set; ``limits`` runs in the child before the command (rlimits)."""
    try:
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=cwd,
            start_new_session=True,
            preexec_fn=limits,  # noqa: PLW1509  (rlimits only: no locks, no threads)
        )
    except OSError as exc:
        raise ProgramEnvironmentError(f"cannot start {command[0]}: {exc.strerror}") from exc
    timer = threading.Timer(timeout_s, _kill_group, args=(process,))
    timer.start()
    stopper = None
    if stop is not None:
        stopper = threading.Thread(target=_kill_when, args=(stop, process), daemon=True)
        stopper.start()
    try:
        assert process.stdout is not None
        for raw in process.stdout:
            on_line(raw.decode("utf-8", "replace").rstrip("\n"))
        returncode = process.wait()
    finally:
        timed_out = not timer.is_alive()
        timer.cancel()
        if process.stdout is not None:  # run_program builds in-process: no pipe left open
            process.stdout.close()
    if timed_out and returncode != 0:
        raise ProgramEnvironmentError(f"building the environment took longer than {timeout_s:g} s")
    return returncode


def _kill_when(stop: threading.Event, process: subprocess.Popen[bytes]) -> None:
    while process.poll() is None:
        if stop.wait(0.5):
            _kill_group(process)
            return


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    import signal

    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


@dataclass(frozen=True)
class Commands:
    """uv's commands for one build: ``cache`` its download cache, ``index_url`` the package
    index the operator chose (None: uv's default, PyPI)."""

    cache: Path
    index_url: str | None = None
    runner: CommandRunner = run_plainly
    timeout_s: float = 900.0

    def environment(self, home: Path) -> dict[str, str]:
        """uv's whole environment; ``home`` (also its temporary files and working
        directory) is the step's own writable directory."""
        env = {k: os.environ[k] for k in PASSED_THROUGH if os.environ.get(k)}
        return {
            **env,
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": str(home),
            "UV_CACHE_DIR": str(self.cache),
            "UV_PYTHON_DOWNLOADS": "never",
            "UV_NO_PROGRESS": "1",
            "UV_LINK_MODE": "copy",
            "UV_NATIVE_TLS": "1",  # the system's trust store (a CA the operator installed)
            "NO_COLOR": "1",
            "TMPDIR": str(home),
        }

    def run(
        self,
        arguments: list[str],
        *,
        writable: Sequence[Path],
        readable: Sequence[Path],
        on_line: Callable[[str], None],
    ) -> tuple[int, list[str]]:
        """``uv ARGUMENTS`` (with the index, no configuration); its status and output lines."""
        lines: list[str] = []

        def keep(line: str) -> None:
            lines.append(line)
            on_line(line)

        index = ["--index-url", self.index_url] if self.index_url else []
        command = [uv_binary(), *arguments[:2], "--no-config", *index, *arguments[2:]]
        self.cache.mkdir(parents=True, exist_ok=True)
        status = self.runner(
            command,
            env=self.environment(writable[0]),
            writable=[self.cache, *writable],
            readable=[Path(uv_binary()).parent, *readable],
            on_line=keep,
            timeout_s=self.timeout_s,
        )
        return status, lines


_ERROR_STARTS = ("error:", "\N{MULTIPLICATION SIGN}")


def resolver_message(lines: list[str]) -> str:
    """uv's explanation of a failure, on one line: its error and what follows it."""
    wanted = [line.strip() for line in lines if line.strip()]
    start = next(
        (
            i
            for i, line in enumerate(wanted)
            if line.startswith(("error:", "\N{MULTIPLICATION SIGN}"))
        ),
        None,
    )
    picked = wanted[start:] if start is not None else wanted[-6:]
    return " ".join(picked)[:2000] or "uv failed without saying why"
