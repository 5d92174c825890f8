"""Which cap a failure hit, said in words: a job that ran out of memory, disk, files or
processes fails with the cap named, not only with the errno deep inside numpy or Aer.

``limits`` describes the caps the job ran under (``JobLimits.describe()`` plus
``memory_scope``: ``job`` when a cgroup counts all its processes, ``process`` for RLIMIT_AS).
Standard library only: the job-side runner of program environments uses it too
(``runtime_kit.harness.limit_errors`` is its name in runtime-kit).
"""

from __future__ import annotations

import errno
from typing import Any

#: What native libraries print when an allocation is refused (OpenBLAS, the dynamic linker,
#: C++): under RLIMIT_AS they end the process instead of raising MemoryError.
MEMORY_FAILURE_MARKS = (
    "Memory allocation still failed",
    "failed to map segment",
    "std::bad_alloc",
    "Cannot allocate memory",
)


def limit_reached(exc: BaseException, limits: dict[str, Any]) -> str | None:
    """``"limit reached: <cap>"`` when ``exc`` (or what caused it) is a cap being hit."""
    for error in _chain(exc):
        cap = _cap_of(error, limits)
        if cap is not None:
            return f"limit reached: {cap}"
    return None


def memory_cap(limits: dict[str, Any]) -> str:
    memory = limits.get("memory_mib")
    if limits.get("memory_scope") == "job":
        return f"memory ({memory} MiB for all of the job's processes)"
    # RLIMIT_AS counts address space reserved, not memory used: qiskit reserves 1 GiB at
    # import when it can, so a limit just above that leaves OpenBLAS too little (docs/run.md).
    return f"memory ({memory} MiB of address space per process, RLIMIT_AS)"


#: RLIMIT_AS at which qiskit and qiskit-aer import and run a small circuit, measured on
#: x86_64 (qiskit 2.x, Aer 0.17): 800-1000 MiB works, 1100-1700 fails (qiskit's 1 GiB
#: reservation succeeds and leaves OpenBLAS too little), 1800 and more works.
IMPORT_ADDRESS_SPACE_MIB = 1800


def preparation_needs(limits: dict[str, Any]) -> str:
    """What importing the job's libraries needs, said to someone whose cap was too low."""
    if limits.get("memory_scope") == "job":
        return "importing the program's libraries (qiskit, qiskit-aer) needs more memory"
    return (
        "importing the program's libraries needs more address space than that (qiskit and "
        f"qiskit-aer: {IMPORT_ADDRESS_SPACE_MIB} MiB or more; see docs/run.md)"
    )


def memory_failure_in(logs: str, limits: dict[str, Any]) -> str | None:
    """The memory cap, if ``logs`` show a native library refused an allocation."""
    if any(mark in logs for mark in MEMORY_FAILURE_MARKS):
        return f"limit reached: {memory_cap(limits)}"
    return None


def _cap_of(error: BaseException, limits: dict[str, Any]) -> str | None:
    if isinstance(error, MemoryError) or any(mark in str(error) for mark in MEMORY_FAILURE_MARKS):
        return memory_cap(limits)
    if isinstance(error, OSError):
        if error.errno in (errno.ENOSPC, errno.EDQUOT):
            return f"disk space ({limits.get('disk_mib', '?')} MiB for /job, and for /tmp)"
        if error.errno == errno.EFBIG:
            return f"file size ({limits.get('file_mib', '?')} MiB per file)"
        if error.errno in (errno.EMFILE, errno.ENFILE):
            return f"open files ({limits.get('open_files', '?')})"
        if error.errno == errno.EAGAIN and "max_tasks" in limits:
            return f"processes and threads ({limits['max_tasks']})"
    if isinstance(error, RuntimeError) and "can't start new thread" in str(error):
        return f"processes and threads ({limits.get('max_tasks', '?')})"
    return None


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen
