"""The file system a forked job sees, built as bubblewrap builds it (``bwrap.py``).

Two steps.  ``stage`` runs once in the template, as root, in a mount namespace of the
template's own: each path a job may read is bound read-only under a small tmpfs
(``STAGE_DIR/N``), where a job's unprivileged uid can reach it (the Python installation may
sit in root's home) and where no job can make it writable again (the mounts come from a more
privileged namespace: the kernel locks their flags).  ``build`` runs in each job's pid 1,
inside the job's user and mount namespaces: a tmpfs root with the staged paths bound at
their real places, a ``/proc`` of the job's pid namespace (its sensitive parts read-only), a
minimal ``/dev`` with its own ``/dev/shm``, ``/tmp`` and ``/job`` as tmpfs of ``disk_mib``,
the service's data directory covered, the root remounted read-only, and ``pivot_root`` into
it.  Standard library only.
"""

from __future__ import annotations

import os
import stat
from typing import Any

from . import linux

#: Where the template stages what jobs read; ``STAGE_DIR/root`` is each job's new root.
STAGE_DIR = "/tmp"
NEW_ROOT = STAGE_DIR + "/root"
JOB_DIR, JOB_TMP = "/job", "/tmp"
DEVICES = ("null", "zero", "full", "random", "urandom", "tty")
DEVICE_LINKS = (
    ("/proc/self/fd", "fd"), ("/proc/self/fd/0", "stdin"), ("/proc/self/fd/1", "stdout"),
    ("/proc/self/fd/2", "stderr"),
)  # fmt: skip
#: Parts of /proc that reach the host's kernel settings: read-only, as bubblewrap does.
PROC_READ_ONLY = ("sys", "sysrq-trigger", "irq", "bus")
MIB = 1024 * 1024


def stage(reads: list[str]) -> int:
    """Template, as root, once: a private mount namespace with ``reads[N]`` bound read-only
    at ``STAGE_DIR/N`` (and ``NEW_ROOT``, the mount point of each job's root).  Returns an
    ``O_PATH`` descriptor of the directory the stage covers (for ``open_source``)."""
    linux.unshare(linux.CLONE_NEWNS)
    linux.mount(None, "/", None, linux.MS_REC | linux.MS_PRIVATE)
    # Opened before STAGE_DIR is covered: a source may lie under it (a checkout in /tmp).
    handles = [os.open(source, os.O_PATH | os.O_CLOEXEC) for source in reads]
    covered = os.open(STAGE_DIR, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
    linux.mount("tmpfs", STAGE_DIR, "tmpfs", linux.MS_NOSUID | linux.MS_NODEV, "mode=0755,size=64k")
    for number, handle in enumerate(handles):
        stage_one(handle, number)
        os.close(handle)
    os.mkdir(NEW_ROOT, 0o755)
    return covered


def open_source(path: str, covered: int | None) -> int:
    """Template: an ``O_PATH`` descriptor of ``path`` in its own mount namespace (a mount
    cannot be bound from another's), reached under the directory the stage covers through
    ``covered`` (``stage``'s descriptor; None: nothing staged)."""
    if covered is not None and _under_any(path, [STAGE_DIR]):
        relative = os.path.relpath(path, STAGE_DIR)
        return os.open(f"/proc/self/fd/{covered}/{relative}", os.O_PATH | os.O_CLOEXEC)
    return os.open(path, os.O_PATH | os.O_CLOEXEC)


def stage_one(handle: int, number: int) -> None:
    """Template, as root: bind ``handle`` (an ``O_PATH`` descriptor of a path jobs may read)
    read-only at ``STAGE_DIR/number``, in the template's mount namespace."""
    target = f"{STAGE_DIR}/{number}"
    _make_like(handle, target)
    linux.bind_read_only(f"/proc/self/fd/{handle}", target)
    for inner in linux.mounts_under(target):
        linux.remount_read_only(inner)


def build(layout: dict[str, Any]) -> None:
    """Job's pid 1, in the job's namespaces: build its root and move into it.

    ``layout``: ``reads`` (paths, staged at ``STAGE_DIR/N`` in this order), ``links``
    ((target, link) pairs), ``hidden`` (paths covered by an empty tmpfs when under a read),
    ``disk_mib``, ``shm_mib``, ``hostname``; and ``job_reads``: ([N, path] pairs) what this
    job alone reads (its program's overlay), staged at ``STAGE_DIR/N``, bound after the
    hidden paths are covered (an overlay may lie in the data directory).
    """
    linux.mount(None, "/", None, linux.MS_REC | linux.MS_PRIVATE)
    root = NEW_ROOT
    linux.mount("tmpfs", root, "tmpfs", linux.MS_NOSUID | linux.MS_NODEV, "mode=0755")
    _proc(root)
    _dev(root, layout["shm_mib"])
    disk = f"size={layout['disk_mib'] * MIB}"
    _tmpfs(root + JOB_TMP, f"mode=1777,{disk}")
    _tmpfs(root + JOB_DIR, f"mode=0700,{disk}")
    reads = layout["reads"]
    for number, path in enumerate(reads):
        source = f"{STAGE_DIR}/{number}"
        _make_like_path(source, root + path)
        linux.mount(source, root + path, None, linux.MS_BIND | linux.MS_REC)
    for target, link in layout["links"]:
        os.makedirs(os.path.dirname(root + link), exist_ok=True)
        os.symlink(target, root + link)
    for path in layout["hidden"]:
        if _under_any(path, reads) and os.path.isdir(root + path):
            _tmpfs(root + path, "mode=0755,size=4k")
    for number, path in layout.get("job_reads", ()):
        source = f"{STAGE_DIR}/{number}"
        _make_like_path(source, root + path)
        linux.mount(source, root + path, None, linux.MS_BIND | linux.MS_REC)
    linux.remount_read_only(root)
    linux.set_hostname(layout["hostname"])
    os.chdir(root)
    linux.pivot_root(".", ".")
    linux.umount_detached(".")
    os.chdir("/")


def _proc(root: str) -> None:
    """A /proc of the job's pid namespace; no further user namespaces in the job's (its pid
    1 is the owner's root there; the job itself, without capabilities, cannot undo it)."""
    proc = root + "/proc"
    os.mkdir(proc)
    linux.mount("proc", proc, "proc", linux.MS_NOSUID | linux.MS_NODEV | linux.MS_NOEXEC)
    with open(proc + "/sys/user/max_user_namespaces", "w") as handle:
        handle.write("0")
    for name in PROC_READ_ONLY:
        path = f"{proc}/{name}"
        if os.path.exists(path):
            linux.bind_read_only(path, path)


def _dev(root: str, shm_mib: int) -> None:
    dev = root + "/dev"
    os.mkdir(dev)
    _tmpfs(dev, "mode=0755,size=64k")
    for name in DEVICES:
        if os.path.exists(f"/dev/{name}"):
            os.close(os.open(f"{dev}/{name}", os.O_CREAT | os.O_WRONLY, 0o666))
            linux.mount(f"/dev/{name}", f"{dev}/{name}", None, linux.MS_BIND)
    for target, name in DEVICE_LINKS:
        os.symlink(target, f"{dev}/{name}")
    os.mkdir(dev + "/shm")
    _tmpfs(dev + "/shm", f"mode=1777,size={shm_mib * MIB}")


def _tmpfs(path: str, options: str) -> None:
    os.makedirs(path, exist_ok=True)
    linux.mount("tmpfs", path, "tmpfs", linux.MS_NOSUID | linux.MS_NODEV, options)


def _make_like(handle: int, target: str) -> None:
    if stat.S_ISDIR(os.fstat(handle).st_mode):
        os.mkdir(target, 0o755)
    else:
        os.close(os.open(target, os.O_CREAT | os.O_WRONLY, 0o644))


def _make_like_path(source: str, target: str) -> None:
    if os.path.isdir(source):
        os.makedirs(target, exist_ok=True)
        return
    os.makedirs(os.path.dirname(target), exist_ok=True)
    os.close(os.open(target, os.O_CREAT | os.O_WRONLY, 0o644))


def _under_any(path: str, roots: list[str]) -> bool:
    return any(path == root or path.startswith(root.rstrip("/") + "/") for root in roots)
