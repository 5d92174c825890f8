"""``--dist loadgroup`` keeps together the tests ``tests/parallel.py`` groups: run for real on a
small suite of two xdist workers (pytest 9.2 silently broke it: pytest-xdist marks a group by
rewriting a private node id that pytest stopped reading)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

CONFTEST = """
import pytest

from tests.parallel import group_of


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    for item in items:
        group = group_of(item)
        if group:
            item.add_marker(pytest.mark.xdist_group(group))
"""
RECORDED = """
import os
import time

import pytest


def record(name):
    path = os.path.join(os.environ["RECORD_DIR"], name)
    with open(path, "w") as handle:
        handle.write(os.environ["PYTEST_XDIST_WORKER"])
    time.sleep(0.2)
"""
SHARED = (
    RECORDED
    + """

@pytest.fixture(scope="module")
def shared():
    return object()


@pytest.mark.parametrize("number", range(6))
def test_shared(shared, number):
    record(f"shared-{number}")
"""
)
ALONE = (
    RECORDED
    + """

@pytest.mark.parametrize("number", range(6))
def test_alone(number):
    record(f"alone-{number}")
"""
)


def test_the_tests_of_a_module_fixture_run_on_one_worker(tmp_path: Path) -> None:
    suite, records = tmp_path / "suite", tmp_path / "records"
    suite.mkdir()
    records.mkdir()
    (suite / "conftest.py").write_text(CONFTEST)
    (suite / "test_shared.py").write_text(SHARED)
    (suite / "test_alone.py").write_text(ALONE)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2",
         "--dist", "loadgroup", "--rootdir", str(suite), str(suite)],
        cwd=suite,
        env={**os.environ, "PYTHONPATH": str(ROOT), "RECORD_DIR": str(records)},
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    workers = {path.name: path.read_text() for path in records.iterdir()}
    assert len(workers) == 12, workers
    shared = {worker for name, worker in workers.items() if name.startswith("shared-")}
    assert len(shared) == 1, workers  # one module fixture, one worker
    assert set(workers.values()) == {"gw0", "gw1"}, workers  # the others spread
