"""``--sandbox bwrap``: each job process in bubblewrap, without network, the file system
read-only apart from the job's own directory (``{dir}``, filled in per worker)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys


def bwrap_command() -> list[str]:
    """The command prefix; raises ``ServiceStartError`` if bwrap is missing or cannot run."""
    from runtime_kit.service.server import ServiceStartError

    bwrap = shutil.which("bwrap")
    if bwrap is None:
        raise ServiceStartError(
            "--sandbox bwrap: bubblewrap is not installed (apt install bubblewrap)"
        )
    command = [
        bwrap,
        "--ro-bind", "/", "/",
        "--dev", "/dev",
        "--proc", "/proc",
        "--tmpfs", "/tmp",
        *_python_binds(),
        "--bind", "{dir}", "{dir}",
        "--unshare-net",
        "--unshare-ipc",
        "--die-with-parent",
        "--",
    ]  # fmt: skip
    probe = subprocess.run(
        [part.replace("{dir}", "/tmp") for part in command] + ["true"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    if probe.returncode != 0:
        reason = probe.stderr.strip().splitlines()[-1] if probe.stderr.strip() else "failed"
        raise ServiceStartError(f"--sandbox bwrap: bubblewrap cannot run here ({reason})")
    return command


def _python_binds() -> list[str]:
    """Read-only binds of this Python and its import path where they live under /tmp,
    which the sandbox replaces with a private, empty one."""
    paths = {sys.prefix, sys.base_prefix, os.path.dirname(os.path.realpath(sys.executable))}
    paths.update(entry for entry in sys.path if entry)
    binds: list[str] = []
    for path in sorted(p for p in paths if os.path.isdir(p)):
        if path == "/tmp" or path.startswith("/tmp/"):
            binds += ["--ro-bind", path, path]
    return binds
