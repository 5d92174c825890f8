"""The job filter, run by a small classic-BPF interpreter (the kernel runs it for real in the
hostile suite, ``test_hostile_service.py``)."""

from __future__ import annotations

import struct

import pytest

from runtime_kit.sandbox import seccomp

ALLOW = "allow"


def verdict(program: bytes, arch: int, nr: int, arg0: int = 0) -> str:
    """What the filter answers a call: ``allow`` or the errno's name."""
    data = struct.pack("=iIQ6Q", nr, arch, 0, arg0, 0, 0, 0, 0, 0)
    instructions = [struct.unpack("=HBBI", program[i : i + 8]) for i in range(0, len(program), 8)]
    accumulator, pc = 0, 0
    while True:
        code, jt, jf, k = instructions[pc]
        if code == 0x20:  # ld word at k
            accumulator = struct.unpack_from("=I", data, k)[0]
            pc += 1
        elif code in (0x15, 0x35):  # jeq / jge
            taken = accumulator == k if code == 0x15 else accumulator >= k
            pc += 1 + (jt if taken else jf)
        elif code == 0x06:
            if k == 0x7FFF0000:
                return ALLOW
            return {1: "EPERM", 38: "ENOSYS", 97: "EAFNOSUPPORT"}[k & 0xFFFF]
        else:
            raise AssertionError(f"unknown instruction {code:#x}")


@pytest.mark.parametrize("machine", ["x86_64", "aarch64"])
def test_the_filter_refuses_what_a_job_has_no_use_for(machine: str) -> None:
    program = seccomp.job_filter(machine)
    arch = seccomp.AUDIT_ARCH[machine]
    calls = seccomp.SYSCALLS[machine]
    for name, number in calls.denied.items():
        assert verdict(program, arch, number) == "EPERM", name
    for number in calls.io_uring:
        assert verdict(program, arch, number) == "ENOSYS"
    for family in (2, 10, 16, 17, 40, 0, 45):  # inet, inet6, netlink, packet, vsock...
        assert verdict(program, arch, calls.socket, family) == "EAFNOSUPPORT", family
        assert verdict(program, arch, calls.socketpair, family) == "EAFNOSUPPORT", family
    assert verdict(program, arch, calls.socket, 1) == ALLOW  # Unix sockets
    assert verdict(program, arch, calls.socketpair, 1) == ALLOW
    assert verdict(program, arch, calls.socket, 1 | (2 << 32)) == ALLOW  # low 32 bits only
    assert verdict(program, arch, 0) == ALLOW  # read (x86-64) / io_setup (aarch64)
    assert verdict(program, 0x40000003, 102) == "ENOSYS"  # i386 socketcall: another ABI


def test_x32_calls_are_refused_on_x86_64() -> None:
    program = seccomp.job_filter("x86_64")
    arch = seccomp.AUDIT_ARCH["x86_64"]
    assert verdict(program, arch, 39) == ALLOW  # getpid
    assert verdict(program, arch, seccomp.X32_SYSCALL_BIT | 39) == "ENOSYS"
    assert verdict(program, arch, seccomp.X32_SYSCALL_BIT | 41, 2) == "ENOSYS"  # x32 socket
