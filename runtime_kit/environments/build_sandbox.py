"""The sandbox a service builds environments in: ``BuildSandbox``, a uv ``CommandRunner``.

A build may run a package's own code (an sdist's ``setup.py``), so every uv command runs in
bubblewrap: new user, pid, IPC, UTS and cgroup namespaces, every capability dropped, no
further user namespaces, a private ``/tmp``, the system and the interpreter read-only, and
writable only what the step writes (its build directory, uv's cache of its trust domain).
The service's data directory is covered (nothing of it is visible but those paths), its
home too.  The network is the host's: the package index must be reachable.  Limits: the
command's wall clock, its address space (``RLIMIT_AS``), the size of any file it writes
(``RLIMIT_FSIZE``) and of the directories it may write, watched while it runs.
"""

from __future__ import annotations

import os
import resource
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from runtime_kit.environments.cache import directory_bytes
from runtime_kit.environments.uv import stream_process
from runtime_kit.errors import ProgramEnvironmentError
from runtime_kit.sandbox.bwrap import ETC_FILES, SYSTEM_DIRS, bwrap_path

MIB = 1024 * 1024
#: What name resolution and TLS read in /etc (the package index is reached by name).
NETWORK_FILES = ("resolv.conf", "hosts", "nsswitch.conf", "ssl", "ca-certificates",
                 "gai.conf", "host.conf")  # fmt: skip


class BuildSandbox:
    """Runs each uv command of a build confined (see the module's docstring).

    Args:
        hidden: host paths nothing of which may be seen (the service's data directory).
        memory_mib: address space of the build's processes.
        disk_mib: what the writable directories may grow to, together.
    """

    def __init__(self, *, hidden: Sequence[Path], memory_mib: int, disk_mib: int) -> None:
        found = bwrap_path()
        if found is None:
            raise ProgramEnvironmentError(
                "building environments needs bubblewrap (apt install bubblewrap), or "
                "--environments off"
            )
        self.bwrap = found
        self.hidden = [Path(path).resolve() for path in hidden]
        self.memory_mib = memory_mib
        self.disk_mib = disk_mib

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
        arguments = self.arguments(env, writable, readable)
        over = threading.Event()
        watcher = _DiskWatcher(writable, self.disk_mib * MIB, over)
        watcher.start()
        try:
            status = stream_process(
                [*arguments, *command],
                env={},
                on_line=on_line,
                timeout_s=timeout_s,
                limits=self._limits,
                stop=over,
            )
        finally:
            watcher.stop()
        if over.is_set():
            raise ProgramEnvironmentError(
                f"building the environment wrote more than {self.disk_mib} MiB (its disk cap)"
            )
        return status

    def arguments(
        self, env: dict[str, str], writable: Sequence[Path], readable: Sequence[Path]
    ) -> list[str]:
        """The bubblewrap command line up to ``--``."""
        arguments = [
            self.bwrap,
            "--unshare-user", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
            "--unshare-cgroup-try", "--disable-userns", "--die-with-parent", "--new-session",
            "--cap-drop", "ALL", "--hostname", "runtime-kit-build", "--clearenv",
        ]  # fmt: skip
        for name, value in sorted(env.items()):
            arguments += ["--setenv", name, value]
        arguments += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]
        for name in SYSTEM_DIRS:
            path = f"/{name}"
            if os.path.islink(path):
                arguments += ["--symlink", os.readlink(path), path]
            elif os.path.exists(path):
                arguments += ["--ro-bind", path, path]
        for name in (*ETC_FILES, *NETWORK_FILES):
            path = f"/etc/{name}"
            if os.path.lexists(path):
                arguments += ["--ro-bind-try", path, path]
        for hidden in self.hidden:
            arguments += ["--tmpfs", str(hidden)]
        for shown in readable:
            arguments += ["--ro-bind", str(shown), str(shown)]
        for written in writable:
            written.mkdir(parents=True, exist_ok=True)
            arguments += ["--bind", str(written), str(written)]
        home = env.get("HOME")
        return [*arguments, "--chdir", home or "/tmp", "--"]

    def _limits(self) -> None:
        """In the child, before bubblewrap starts: the build's rlimits."""
        memory = self.memory_mib * MIB
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        size = self.disk_mib * MIB
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


class _DiskWatcher:
    """Sets ``over`` when the writable directories grow past ``limit`` bytes together."""

    def __init__(self, paths: Sequence[Path], limit: int, over: threading.Event) -> None:
        self.paths = list(paths)
        self.limit = limit
        self.over = over
        self._done = threading.Event()
        self._base = sum(directory_bytes(path) for path in self.paths)
        self._thread = threading.Thread(target=self._watch, daemon=True, name="build-disk")

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._done.set()
        self._thread.join(timeout=30)

    def _watch(self) -> None:
        while not self._done.wait(2.0):
            grown = sum(directory_bytes(path) for path in self.paths) - self._base
            if grown > self.limit:
                self.over.set()
                return
