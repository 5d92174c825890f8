"""A seccomp filter for jobs: no network sockets at all, not even on their own loopback.

The job's network namespace has nothing of the host's; this filter also refuses to create
IPv4, IPv6 and packet sockets (``EAFNOSUPPORT``), and io_uring (which can create sockets
without ``socket(2)``).  Unix sockets stay (``multiprocessing`` needs them).  The filter is
classic BPF, handed to bubblewrap (``--seccomp FD``) by the launcher.  System calls of
another ABI than the machine's own (i386's ``socketcall`` on x86-64) are refused too.  On an
architecture other than x86-64 or aarch64 there is no filter (``/health`` says so).
"""

from __future__ import annotations

import platform
import struct

AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
#: (socket, io_uring_setup) system call numbers per architecture.
SYSCALLS = {"x86_64": (41, 425), "aarch64": (198, 425)}
REFUSED_FAMILIES = (2, 10, 17)  # AF_INET, AF_INET6, AF_PACKET
EAFNOSUPPORT, ENOSYS = 97, 38

_BPF_LD_W_ABS, _BPF_JEQ_K, _BPF_RET_K = 0x20, 0x15, 0x06
_RET_ALLOW = 0x7FFF0000
_RET_ERRNO = 0x00050000
# struct seccomp_data: nr (0), arch (4), instruction pointer (8), args[6] (16, 24, ...).
_NR, _ARCH, _ARG0 = 0, 4, 16


def supported() -> bool:
    return platform.machine() in AUDIT_ARCH


def no_network_filter() -> bytes:
    """The compiled filter (``struct sock_filter`` array) for this machine's architecture."""
    machine = platform.machine()
    socket_nr, io_uring_nr = SYSCALLS[machine]
    program = [
        (_BPF_LD_W_ABS, 0, 0, _ARCH),
        (_BPF_JEQ_K, 1, 0, AUDIT_ARCH[machine]),
        (_BPF_RET_K, 0, 0, _RET_ERRNO | ENOSYS),  # another ABI (i386's socketcall...): none
        (_BPF_LD_W_ABS, 0, 0, _NR),
        (_BPF_JEQ_K, 0, 1, io_uring_nr),
        (_BPF_RET_K, 0, 0, _RET_ERRNO | ENOSYS),
        (_BPF_JEQ_K, 1, 0, socket_nr),
        (_BPF_RET_K, 0, 0, _RET_ALLOW),
        (_BPF_LD_W_ABS, 0, 0, _ARG0),  # the family (low 32 bits of the first argument)
    ]
    for family in REFUSED_FAMILIES:
        program.append((_BPF_JEQ_K, 0, 1, family))
        program.append((_BPF_RET_K, 0, 0, _RET_ERRNO | EAFNOSUPPORT))
    program.append((_BPF_RET_K, 0, 0, _RET_ALLOW))
    return b"".join(struct.pack("=HBBI", *instruction) for instruction in program)
