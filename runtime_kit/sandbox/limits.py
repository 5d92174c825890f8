"""What one job may use, configurable on ``runtime-kit serve``; units are in the names."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass

MIB = 1024 * 1024


@dataclass(frozen=True)
class JobLimits:
    """Caps on one job.  Where cgroups are available, ``memory_mib``, ``max_tasks`` and
    ``cpu_time_s`` hold for all of a job's processes together; otherwise per process
    (rlimits).  The defaults fit a 2-core, 24 GiB machine and let Aer run."""

    #: wall clock; a program's own ``max_execution_time`` (and a job's ``cost``) may be lower
    max_execution_time_s: int = 3 * 3600
    memory_mib: int = 4096
    #: processes and threads together (what the kernel counts in ``pids.max``/RLIMIT_NPROC)
    max_tasks: int = 256
    #: the job's directory, and /tmp (each a tmpfs of this size in the sandbox; they are in
    #: memory, so they count towards the job's memory cap too)
    disk_mib: int = 1024
    #: any single file the job writes (RLIMIT_FSIZE)
    file_mib: int = 512
    open_files: int = 1024
    #: CPU seconds; None: the wall clock times the machine's cores
    cpu_time_s: int | None = None
    interim_results: int = 10_000
    interim_mib: int = 64
    message_mib: int = 16
    log_mib: int = 8
    #: threads a job's numeric libraries start (OpenMP, hence Aer; OpenBLAS; Rayon, hence
    #: qiskit's transpiler); None: the machine's cores shared among the jobs that run at once
    threads: int | None = None

    @property
    def job_threads(self) -> int:
        """``threads``, or every core when it was not settled (``shared_by``)."""
        return self.threads or os.cpu_count() or 1

    def shared_by(self, slots: int) -> JobLimits:
        """These limits with ``threads`` settled for ``slots`` jobs running at once."""
        if self.threads is not None:
            return self
        return dataclasses.replace(self, threads=max(1, (os.cpu_count() or 1) // slots))

    @property
    def cpu_time_cap_s(self) -> int:
        if self.cpu_time_s is not None:
            return self.cpu_time_s
        return self.max_execution_time_s * (os.cpu_count() or 1)

    def describe(self) -> dict[str, int]:
        return {
            "max_execution_time_s": self.max_execution_time_s,
            "memory_mib": self.memory_mib,
            "max_tasks": self.max_tasks,
            "disk_mib": self.disk_mib,
            "file_mib": self.file_mib,
            "open_files": self.open_files,
            "cpu_time_s": self.cpu_time_cap_s,
            "interim_results": self.interim_results,
            "interim_mib": self.interim_mib,
            "message_mib": self.message_mib,
            "log_mib": self.log_mib,
            "threads": self.job_threads,
        }
