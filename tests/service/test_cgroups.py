"""Job cgroups read while they are removed: the kernel fails a read of a file opened before
its cgroup went away with ENODEV (a job's cgroup is removed as the job ends, while the
service may still be reading its counters); that counts as an empty file, never an error."""

from __future__ import annotations

import errno
import secrets
from collections.abc import Iterator

import pytest

from runtime_kit.sandbox import cgroups


@pytest.fixture
def job() -> Iterator[cgroups.JobCgroup]:
    found = cgroups.detect(f"test-{secrets.token_hex(4)}")
    if isinstance(found, cgroups.Unavailable):
        pytest.skip(f"no cgroups to make here: {found.reason}")
    made = found.create("job", memory_bytes=256 << 20, max_tasks=16)
    try:
        yield made
    finally:
        made.remove()
        found.close()


def test_a_file_opened_before_its_cgroup_was_removed_reads_as_empty(
    job: cgroups.JobCgroup,
) -> None:
    # two handles on each file, opened while the cgroup is there: one shows what the kernel
    # does, the other is read as the service reads
    probes = [open(path) for path in job.procs_files]  # noqa: SIM115  (closed below)
    procs = [open(path) for path in job.procs_files]  # noqa: SIM115
    try:
        job.remove()
        with pytest.raises(OSError) as raised:
            probes[0].read()
        assert raised.value.errno == errno.ENODEV
        assert [cgroups.text_of(handle) for handle in procs] == [""] * len(procs)
    finally:
        for handle in (*probes, *procs):
            handle.close()


def test_the_counters_of_a_removed_cgroup_are_zero(job: cgroups.JobCgroup) -> None:
    job.remove()
    assert job.pids() == set()
    assert job.events() == cgroups.CgroupEvents(0, 0)
    assert job.cpu_seconds() in (None, 0.0)
