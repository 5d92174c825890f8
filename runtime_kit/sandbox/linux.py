"""The Linux calls a warm template and the jobs it forks make, through ctypes and the
standard library of Python 3.8 (the template of a program environment runs this on that
environment's Python: no ``os.pidfd_open``, ``socket.send_fds`` or
``os.waitstatus_to_exitcode`` there).

Each wrapper raises ``OSError`` naming the call and the path when the kernel refuses.
"""

from __future__ import annotations

import array
import ctypes
import os
import socket
import struct

CLONE_NEWNS = 0x00020000
CLONE_NEWCGROUP = 0x02000000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
#: Every namespace a job gets of its own.
JOB_NAMESPACES = (
    CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP
    | CLONE_NEWPID
)  # fmt: skip

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_NOATIME, MS_NODIRATIME = 32, 1024, 2048
MS_BIND, MS_REC, MS_PRIVATE, MS_RELATIME = 4096, 16384, 1 << 18, 1 << 21
MNT_DETACH = 2

PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_SET_SECCOMP = 1, 4, 22
PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS, PR_CAP_AMBIENT = 24, 38, 47
PR_CAP_AMBIENT_CLEAR_ALL = 4
SECCOMP_MODE_FILTER = 2
_CAPABILITY_VERSION_3 = 0x20080522
_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41}
#: pidfd_open's number: the same in every architecture's table (Linux 5.3).
_PIDFD_OPEN = 434

#: statvfs's flags (``ST_*``) and the mount flags that keep them on a remount.
_KEPT_FLAGS = (
    (os.ST_NOSUID, MS_NOSUID), (os.ST_NODEV, MS_NODEV), (os.ST_NOEXEC, MS_NOEXEC),
    (os.ST_NOATIME, MS_NOATIME), (os.ST_NODIRATIME, MS_NODIRATIME),
    (os.ST_RELATIME, MS_RELATIME),
)  # fmt: skip

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def check(result: int, what: str) -> None:
    if result < 0:
        error = ctypes.get_errno()
        raise OSError(error, f"{what}: {os.strerror(error)}")


def unshare(flags: int) -> None:
    check(_libc.unshare(flags), "unshare")


def mount(
    source: str | None, target: str, kind: str | None, flags: int, data: str | None = None
) -> None:
    result = _libc.mount(_bytes(source), _bytes(target), _bytes(kind), flags, _bytes(data))
    check(result, f"mount {target}")


def bind_read_only(source: str, target: str) -> None:
    """Bind ``source`` (and the mounts under it) at ``target``, read-only, keeping the flags
    a remount may not drop (nosuid, nodev, noexec, atime)."""
    mount(source, target, None, MS_BIND | MS_REC)
    remount_read_only(target)


def remount_read_only(target: str) -> None:
    kept = os.statvfs(target).f_flag
    flags = MS_REMOUNT | MS_BIND | MS_RDONLY
    flags |= sum(mount_flag for st_flag, mount_flag in _KEPT_FLAGS if kept & st_flag)
    mount(None, target, None, flags)


def mounts_under(path: str) -> list[str]:
    """Mount points strictly under ``path`` (``/proc/self/mountinfo``), outermost first."""
    prefix = path.rstrip("/") + "/"
    found = []
    with open("/proc/self/mountinfo") as handle:
        for line in handle:
            point = line.split()[4].replace("\\040", " ")
            if point.startswith(prefix):
                found.append(point)
    return sorted(set(found), key=len)


def umount_detached(target: str) -> None:
    check(_libc.umount2(target.encode(), MNT_DETACH), f"umount {target}")


def pivot_root(new_root: str, put_old: str) -> None:
    # (not platform.machine(): Python 3.8's runs ``uname -p`` in a subprocess)
    number = _PIVOT_ROOT[os.uname().machine]
    result = _libc.syscall(ctypes.c_long(number), new_root.encode(), put_old.encode())
    check(result, f"pivot_root {new_root}")


def set_hostname(name: str) -> None:
    data = name.encode()
    check(_libc.sethostname(data, len(data)), "sethostname")


def prctl(option: int, argument: int = 0) -> None:
    result = _libc.prctl(option, ctypes.c_ulong(argument), 0, 0, 0)
    check(result, f"prctl({option})")


def die_with_parent(parent: int) -> None:
    """SIGKILL when the parent ends; ends now if it already has (a race with the fork)."""
    prctl(PR_SET_PDEATHSIG, 9)
    if os.getppid() != parent:
        os._exit(125)


def drop_capabilities() -> None:
    """No capability left: the bounding set (so none comes back on exec), the ambient set,
    and the effective, permitted and inheritable sets of this thread."""
    with open("/proc/sys/kernel/cap_last_cap") as handle:
        last = int(handle.read())
    for capability in range(last + 1):
        prctl(PR_CAPBSET_DROP, capability)
    check(_libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0), "clear ambient caps")
    header = struct.pack("=Ii", _CAPABILITY_VERSION_3, 0)
    data = bytes(24)  # two (effective, permitted, inheritable) triples of 32 bits, all zero
    check(_libc.capset(header, data), "capset")


def load_seccomp(program: bytes) -> None:
    """Install the classic BPF ``program`` (``struct sock_filter`` array) on this thread;
    needs no_new_privs (set here first)."""
    prctl(PR_SET_NO_NEW_PRIVS, 1)
    buffer = ctypes.create_string_buffer(program, len(program))
    fprog = _SockFprog(len(program) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    result = _libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0)
    check(result, "seccomp")


def pidfd_open(pid: int) -> int:
    """A descriptor of process ``pid`` (close-on-exec), by which it is signalled and waited
    for even after its pid is reused."""
    result = _libc.syscall(ctypes.c_long(_PIDFD_OPEN), ctypes.c_long(pid), ctypes.c_long(0))
    check(result, f"pidfd_open {pid}")
    return int(result)


def send_fds(sock: socket.socket, message: bytes, fds: list[int]) -> None:
    """``message`` with ``fds`` attached (SCM_RIGHTS), as ``socket.send_fds`` (Python 3.9)."""
    rights = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))] if fds else []
    sock.sendmsg([message], rights)


def recv_fds(sock: socket.socket, size: int, max_fds: int) -> tuple[bytes, list[int]]:
    """A message and the descriptors attached to it, as ``socket.recv_fds`` (Python 3.9);
    descriptors cut off (more than ``max_fds``) are closed by the kernel."""
    fds = array.array("i")
    message, ancillary, _, _ = sock.recvmsg(
        size, socket.CMSG_SPACE(max_fds * fds.itemsize), socket.MSG_CMSG_CLOEXEC
    )
    for level, kind, data in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(data[: len(data) - (len(data) % fds.itemsize)])
    return message, list(fds)


def exit_code(status: int) -> int:
    """A wait status as ``os.waitstatus_to_exitcode`` (Python 3.9) gives it: the exit code,
    or minus the signal that killed the process."""
    if os.WIFSIGNALED(status):
        return -os.WTERMSIG(status)
    if os.WIFEXITED(status):
        return os.WEXITSTATUS(status)
    raise ValueError(f"not the status of an ended process: {status}")


def _bytes(text: str | None) -> bytes | None:
    return None if text is None else text.encode()
