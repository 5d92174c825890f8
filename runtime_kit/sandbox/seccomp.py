"""A seccomp filter for jobs: the kernel surface a program has no use for, closed.

The job's network namespace has nothing of the host's; this filter also refuses every
socket family but Unix sockets (``EAFNOSUPPORT``: IPv4, IPv6, packet, netlink, vsock...;
``multiprocessing`` needs Unix sockets), io_uring (which can create sockets without
``socket(2)``; ``ENOSYS``), and with ``EPERM`` the calls that reach other processes or
shared kernel state: ``ptrace`` and ``process_vm_readv``/``writev`` (a job could stop its own
sandbox's init and hang until its time limit), the kernel keyrings (``keyctl``, ``add_key``,
``request_key``), ``perf_event_open``, ``userfaultfd`` and ``bpf``.  System calls of another
ABI than the machine's own (i386's ``socketcall`` on x86-64) and x86-64's x32 calls (the
same architecture, numbers from ``0x40000000``) are refused too (``ENOSYS``).

The filter is classic BPF, handed to bubblewrap (``--seccomp FD``) by the launcher.  On an
architecture other than x86-64 or aarch64 there is no filter (``/health`` says so).
"""

from __future__ import annotations

import platform
import struct
from typing import NamedTuple

AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}


class Syscalls(NamedTuple):
    socket: int
    socketpair: int
    io_uring: tuple[int, ...]
    #: refused with EPERM
    denied: dict[str, int]


SYSCALLS = {
    "x86_64": Syscalls(
        socket=41,
        socketpair=53,
        io_uring=(425, 426, 427),
        denied={
            "ptrace": 101,
            "process_vm_readv": 310,
            "process_vm_writev": 311,
            "add_key": 248,
            "request_key": 249,
            "keyctl": 250,
            "perf_event_open": 298,
            "userfaultfd": 323,
            "bpf": 321,
        },
    ),
    "aarch64": Syscalls(
        socket=198,
        socketpair=199,
        io_uring=(425, 426, 427),
        denied={
            "ptrace": 117,
            "process_vm_readv": 270,
            "process_vm_writev": 271,
            "add_key": 217,
            "request_key": 218,
            "keyctl": 219,
            "perf_event_open": 241,
            "userfaultfd": 282,
            "bpf": 280,
        },
    ),
}
#: x86-64's x32 ABI: the same audit architecture, system call numbers with this bit.
X32_SYSCALL_BIT = 0x40000000
AF_UNIX = 1
EPERM, ENOSYS, EAFNOSUPPORT = 1, 38, 97

_LD_W_ABS, _JEQ_K, _JGE_K, _RET_K = 0x20, 0x15, 0x35, 0x06
_RET_ALLOW = 0x7FFF0000
_RET_ERRNO = 0x00050000
# struct seccomp_data: nr (0), arch (4), instruction pointer (8), args[6] (16, 24, ...).
_NR, _ARCH, _ARG0 = 0, 4, 16

#: An instruction whose jumps name labels: (code, true label, false label, k).
_Instruction = tuple[int, str | None, str | None, int]


def supported() -> bool:
    return platform.machine() in AUDIT_ARCH


def describe() -> str:
    """What the filter refuses, for ``/health`` and the start-up line."""
    return (
        "seccomp: sockets other than Unix, io_uring, ptrace, process_vm_*, keyrings, "
        "perf_event_open, userfaultfd, bpf, other ABIs (x32 included)"
    )


def job_filter(machine: str | None = None) -> bytes:
    """The compiled filter (``struct sock_filter`` array) for ``machine`` (default: this
    one's)."""
    machine = machine or platform.machine()
    calls = SYSCALLS[machine]
    program: list[tuple[str | None, _Instruction]] = [
        (None, (_LD_W_ABS, None, None, _ARCH)),
        (None, (_JEQ_K, "native", "no_such_call", AUDIT_ARCH[machine])),
        ("native", (_LD_W_ABS, None, None, _NR)),
    ]
    if machine == "x86_64":
        program.append((None, (_JGE_K, "no_such_call", None, X32_SYSCALL_BIT)))
    for number in calls.io_uring:
        program.append((None, (_JEQ_K, "no_such_call", None, number)))
    for number in calls.denied.values():
        program.append((None, (_JEQ_K, "denied", None, number)))
    program += [
        (None, (_JEQ_K, "family", None, calls.socket)),
        (None, (_JEQ_K, "family", "allow", calls.socketpair)),
        ("family", (_LD_W_ABS, None, None, _ARG0)),  # the low 32 bits of the first argument
        (None, (_JEQ_K, "allow", "no_family", AF_UNIX)),
        ("no_family", (_RET_K, None, None, _RET_ERRNO | EAFNOSUPPORT)),
        ("denied", (_RET_K, None, None, _RET_ERRNO | EPERM)),
        ("no_such_call", (_RET_K, None, None, _RET_ERRNO | ENOSYS)),
        ("allow", (_RET_K, None, None, _RET_ALLOW)),
    ]
    return _assemble(program)


#: The filter's old name (it refused network sockets only).
no_network_filter = job_filter


def _assemble(program: list[tuple[str | None, _Instruction]]) -> bytes:
    """Resolve labels into the relative jumps of classic BPF (a missing label: the next
    instruction)."""
    where = {label: index for index, (label, _) in enumerate(program) if label}
    compiled = []
    for index, (_, (code, when_true, when_false, k)) in enumerate(program):
        jt = where[when_true] - index - 1 if when_true else 0
        jf = where[when_false] - index - 1 if when_false else 0
        if not (0 <= jt < 256 and 0 <= jf < 256):
            raise ValueError(f"a jump out of reach at instruction {index}")
        compiled.append(struct.pack("=HBBI", code, jt, jf, k))
    return b"".join(compiled)
