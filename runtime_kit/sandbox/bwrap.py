"""The bubblewrap command that confines one job process.

What the job sees: its own directory ``/job`` (a tmpfs of ``disk_mib``, writable, also its
``HOME``) and a private ``/tmp`` (another), the system's ``/usr`` and libraries and this Python
installation with its packages (read-only), a minimal ``/dev`` with its own ``/dev/shm``, and
a ``/proc`` of its own pid namespace.  Nothing else: not the service's data directory, not
other jobs, not the service's home.  It runs in new user, pid, network (no interface up, not
even loopback), IPC, UTS and cgroup namespaces, as an unprivileged uid with every
capability dropped, with no further user namespaces, in a new session, and dies with the
service.
"""

from __future__ import annotations

import os
import shutil
import sys
from typing import NamedTuple

from runtime_kit.sandbox.limits import MIB, JobLimits

JOB_DIR = "/job"
JOB_TMP = "/tmp"
SHM_MIB = 64
#: The top-level system paths a program's process needs: /usr, and what links into it.
SYSTEM_DIRS = ("usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32")
#: Files of /etc the dynamic linker and the C library read.
ETC_FILES = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime")


class Layout(NamedTuple):
    """What the job reads: ``reads`` (real host paths, shown read-only at the same place)
    and ``links`` ((target, link) symlinks: merged /usr, /etc/localtime, a symlinked prefix)."""

    reads: list[str]
    links: list[tuple[str, str]]


def bwrap_path() -> str | None:
    return shutil.which("bwrap")


def job_layout() -> Layout:
    """The system, this Python (its prefix and the virtual environment's) and the
    ``runtime_kit`` package when it lives outside them (an editable install)."""
    reads: list[str] = []
    links: list[tuple[str, str]] = []
    candidates = [f"/{name}" for name in SYSTEM_DIRS] + [f"/etc/{name}" for name in ETC_FILES]
    for path in candidates:
        if os.path.islink(path):
            links.append((os.readlink(path), path))
        elif os.path.exists(path):
            reads.append(path)
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for path in (sys.base_prefix, sys.prefix, package):
        real = os.path.realpath(path)
        if not _under_any(real, reads):
            reads.append(real)
        if real != os.path.abspath(path):
            links.append((real, os.path.abspath(path)))
    return Layout(reads, links)


def bwrap_arguments(
    bwrap: str,
    layout: Layout,
    *,
    limits: JobLimits,
    environment: dict[str, str],
    hidden: list[str],
    staged: bool,
    seccomp: bool = False,
    extra_reads: list[str] | None = None,
) -> list[str]:
    """The bubblewrap command line up to ``--`` (the job's command follows).

    ``staged``: each read's source is given as ``{stage:N}``, N its index in
    ``layout.reads`` (see ``enter.py``).
    ``hidden``: host paths that must stay out of sight even if under a read-only path
    (the data directory): each is covered by an empty tmpfs.
    ``seccomp``: load the filter the launcher passes as ``{seccomp}`` (a file descriptor).
    ``extra_reads``: more paths shown read-only, after the hidden ones are covered (a
    program's environment in the data directory); staged as the sources after
    ``layout.reads``.
    """
    arguments = [
        bwrap,
        "--unshare-user", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
        "--unshare-cgroup-try", "--unshare-net",
        "--disable-userns", "--die-with-parent", "--new-session",
        "--cap-drop", "ALL", "--hostname", "runtime-kit-job", "--clearenv",
    ]  # fmt: skip
    for name, value in sorted(environment.items()):
        arguments += ["--setenv", name, value]
    if seccomp:
        arguments += ["--seccomp", "{seccomp}"]
    disk = str(limits.disk_mib * MIB)
    arguments += [
        "--proc", "/proc",
        "--dev", "/dev",
        "--size", str(SHM_MIB * MIB), "--tmpfs", "/dev/shm",
        # Before the read-only paths: one may lie under /tmp (a checkout in /tmp).
        "--size", disk, "--tmpfs", JOB_TMP,
        "--size", disk, "--perms", "0700", "--tmpfs", JOB_DIR,
    ]  # fmt: skip
    for number, path in enumerate(layout.reads):
        arguments += ["--ro-bind", f"{{stage:{number}}}" if staged else path, path]
    for target, link in layout.links:
        arguments += ["--symlink", target, link]
    for path in hidden:
        if _under_any(path, layout.reads):
            arguments += ["--tmpfs", path]
    for number, path in enumerate(extra_reads or (), start=len(layout.reads)):
        arguments += ["--ro-bind", f"{{stage:{number}}}" if staged else path, path]
    arguments += ["--remount-ro", "/", "--chdir", JOB_DIR, "--"]
    return arguments


def _under_any(path: str, roots: list[str]) -> bool:
    return any(path == root or path.startswith(root.rstrip("/") + "/") for root in roots)
