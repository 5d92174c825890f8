"""``--sandbox bwrap``: each job process in bubblewrap, without network, the file system
read-only apart from the job's own directory (``{dir}``, filled in per worker)."""

from __future__ import annotations

import shutil
import subprocess


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
