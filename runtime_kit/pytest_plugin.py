"""The pytest plugin (entry point ``pytest11``): the ``run_program`` fixture.

Loaded in every pytest session of an environment with runtime-kit, so it imports nothing
heavy until a test uses the fixture.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

_RECORDS = pytest.StashKey[list]()


@pytest.fixture
def run_program(request: pytest.FixtureRequest) -> Iterator[Callable[..., Any]]:
    """``run_program(path=<rootdir>, **options) -> RunRecord``: see runtime_kit.testing."""
    from runtime_kit.harness.runner import run_program as run

    records: list[Any] = []
    request.node.stash[_RECORDS] = records

    def run_and_keep(path: str | Path | None = None, **options: Any) -> Any:
        record = run(path if path is not None else request.config.rootpath, **options)
        records.append(record)
        return record

    yield run_and_keep


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call" and report.failed:
        for index, record in enumerate(item.stash.get(_RECORDS, [])):
            lines = [
                f"status: {record.status}  backend: {record.backend}  seed: {record.seed}",
                *(f"error: {record.error}" for _ in [0] if record.error),
                *([record.traceback] if record.traceback else []),
                *(f"warning: {w}" for w in record.warnings),
                "logs:",
                record.logs or "(none)",
            ]
            report.sections.append((f"runtime-kit run #{index}", "\n".join(lines)))
    return report
