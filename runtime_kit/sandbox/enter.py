"""Enter a job's confinement, then exec the job's command: ``python -I -S enter.py PLAN``.

Run by the service for each job process (before the job is known), as the service's user.
It does what must happen before the sandbox and cannot be asked of bubblewrap, in order:

1. join the job's control groups (write itself into each ``cgroup.procs``), so that every
   process the job starts is counted and can be killed together;
2. when the service is root: stage the paths the job may read where an unprivileged uid can
   reach them (a private mount namespace with bind mounts under a fresh ``/tmp``: the Python
   installation may sit in root's home, which only root can traverse);
3. set the hard resource limits (rlimits) of the job;
4. when the service is root: drop to the job's unprivileged uid and gid, with no groups;
5. exec the command (bubblewrap, or the harness directly with ``--sandbox none``).

Standard library only, and no import of runtime_kit: it starts with ``-I -S`` for speed.
PLAN is a JSON object: ``cgroup_procs`` (paths), ``stage`` (null or ``{"dir": D,
"sources": [paths]}``; the command's ``{stage:N}`` then names the staged copy of source N),
``rlimits`` (name -> [soft, hard]), ``user`` (null or ``{"uid": U, "gid": G}``), ``seccomp``
(null or a base64 filter for bubblewrap's ``--seccomp {seccomp}``), ``command``.
Any failure ends it with status 125 and one line on stderr, before the job could start.
"""

import base64
import ctypes
import json
import os
import resource
import stat
import sys
from typing import Any

CLONE_NEWNS = 0x00020000
MS_NOSUID, MS_NODEV, MS_BIND, MS_REC, MS_PRIVATE = 2, 4, 4096, 16384, 1 << 18
FAILED = 125


def main(argv: list[str]) -> None:
    plan = json.loads(argv[0])
    for procs in plan["cgroup_procs"]:
        with open(procs, "w") as handle:
            handle.write("0")  # "0": the writing process (and all it will start)
    command = plan["command"]
    if plan.get("seccomp"):
        command = _with_filter(base64.b64decode(plan["seccomp"]), command)
    if plan["stage"]:
        command = _stage(plan["stage"], command)
    for name, (soft, hard) in plan["rlimits"].items():
        resource.setrlimit(getattr(resource, name), (soft, hard))
    if plan["user"]:
        os.setgroups([])
        os.setresgid(plan["user"]["gid"], plan["user"]["gid"], plan["user"]["gid"])
        os.setresuid(plan["user"]["uid"], plan["user"]["uid"], plan["user"]["uid"])
    os.execv(command[0], command)


def _with_filter(program: bytes, command: list[str]) -> list[str]:
    """The seccomp filter in an inheritable memory file; ``{seccomp}`` becomes its fd."""
    fd = os.memfd_create("runtime-kit-seccomp", 0)
    os.set_inheritable(fd, True)
    os.write(fd, program)
    os.lseek(fd, 0, os.SEEK_SET)
    return [str(fd) if part == "{seccomp}" else part for part in command]


def _stage(stage: dict[str, Any], command: list[str]) -> list[str]:
    """Bind each source under a fresh tmpfs at ``stage["dir"]``, in a mount namespace of
    this process alone; returns the command with ``{stage:N}`` replaced by those paths."""
    libc = ctypes.CDLL(None, use_errno=True)
    _check(libc.unshare(CLONE_NEWNS), "unshare(CLONE_NEWNS)")
    _mount(libc, None, "/", None, MS_REC | MS_PRIVATE)
    # Opened in the new namespace (a bind needs its source there), before /tmp is covered
    # (a source under /tmp must stay reachable).
    handles = [os.open(source, os.O_PATH | os.O_CLOEXEC) for source in stage["sources"]]
    root = stage["dir"]
    _mount(libc, "tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=64k")
    staged = {}
    for number, handle in enumerate(handles):
        target = os.path.join(root, str(number))
        if stat.S_ISDIR(os.fstat(handle).st_mode):  # not the path: /tmp may cover it now
            os.mkdir(target, 0o755)
        else:
            os.close(os.open(target, os.O_CREAT | os.O_WRONLY, 0o644))
        # Read-only in the sandbox (bubblewrap's --ro-bind); this namespace is the launcher's.
        _mount(libc, f"/proc/self/fd/{handle}", target, None, MS_BIND | MS_REC)
        os.close(handle)
        staged[f"{{stage:{number}}}"] = target
    return [staged.get(part, part) for part in command]


def _mount(
    libc: ctypes.CDLL,
    source: str | None,
    target: str,
    kind: str | None,
    flags: int,
    data: str | None = None,
) -> None:
    result = libc.mount(_bytes(source), _bytes(target), _bytes(kind), flags, _bytes(data))
    _check(result, f"mount {target}")


def _bytes(text: str | None) -> bytes | None:
    return None if text is None else text.encode()


def _check(result: int, what: str) -> None:
    if result != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"{what}: {os.strerror(error)}")


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        sys.stderr.write(f"runtime-kit: cannot confine the job process: {exc}\n")
        sys.exit(FAILED)
