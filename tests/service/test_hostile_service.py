"""Attacks on the service itself (issue 21): a job, a low-privilege token or no token at
all trying to exhaust ``runtime-kit serve``'s memory, connections, CPU or storage.  Each test
is one attack against a real service started the documented way; the service must stay up,
answer the others, and refuse the attack with an error naming the limit.

The service's memory is read from ``/proc/PID/status``: its peak (``VmHWM``), reset before
each attack through ``/proc/PID/clear_refs`` so that the growth measured is the attack's.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.service.real_server import RealServer
from tests.service.test_hostile_jobs import Stage, _sandbox_usable

MIB = 1024 * 1024


class Memory:
    """The resident memory of a process: now, and its peak since the last ``reset``."""

    def __init__(self, pid: int) -> None:
        self.pid = pid

    def _status(self, field: str) -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
        raise AssertionError(f"no {field} in /proc/{self.pid}/status")

    def reset(self) -> int:
        """Start measuring the peak from now; the resident bytes now."""
        Path(f"/proc/{self.pid}/clear_refs").write_text("5")
        return self._status("VmRSS")

    def peak(self) -> int:
        return self._status("VmHWM")


@pytest.fixture(scope="module")
def stage(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stage]:
    root = tmp_path_factory.mktemp("hostile-service")
    unusable = _sandbox_usable(root / "probe")
    if unusable:
        pytest.skip(f"bubblewrap cannot isolate jobs here: {unusable}")
    server = RealServer(root / "data").start()
    try:
        yield Stage(server)
    finally:
        server.stop()


def memory_of(stage: Stage) -> Memory:
    assert stage.server.process is not None
    return Memory(stage.server.process.pid)


def test_a_frame_declared_larger_than_the_cap_is_refused_from_its_header(stage: Stage) -> None:
    memory = memory_of(stage)
    before = memory.reset()
    job, result = stage.attack_job("big_frame", declared=12 << 30, mib=1536)
    growth = memory.peak() - before
    print(f"service peak RSS growth: {growth / MIB:.1f} MiB")
    assert job["status"] == "FAILED", (job, result)
    assert job["state"]["reason"] == (
        f"limit reached: message size (an interim result of {12 << 30} bytes; at most {16 * MIB})"
    ), job
    assert growth < 32 * MIB


def test_a_frame_under_the_cap_costs_the_service_a_few_times_its_size(stage: Stage) -> None:
    # Python holds it once read and once decoded; SQLite copies it twice to insert it.
    memory = memory_of(stage)
    before = memory.reset()
    job, result = stage.attack_job("interim", count=1, kib=15 * 1024)
    growth = memory.peak() - before
    print(f"service peak RSS growth for a 15 MiB interim result: {growth / MIB:.1f} MiB")
    assert job["status"] == "COMPLETED", (job, result)
    assert growth < 4.5 * 15 * MIB


def test_a_malformed_frame_header_ends_the_job_at_once(stage: Stage) -> None:
    job, result = stage.attack_job("malformed_frame")
    assert job["status"] == "FAILED", (job, result)
    assert job["state"]["reason"].startswith("malformed frame on the harness pipe"), job
