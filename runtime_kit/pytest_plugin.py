"""The pytest plugin (entry point ``pytest11``): the ``run_program`` fixture (strict about
schemas with ``--runtime-kit-strict``, ini ``runtime_kit_strict = true``), and
``--runtime-kit-legacy`` (ini: ``runtime_kit_legacy = true``), which serves the legacy import
paths of ``runtime_kit.harness.legacy_modules`` to the test session, as the harness does.

Loaded in every pytest session of an environment with runtime-kit, so it imports nothing
heavy until a test uses the fixture or the legacy paths are asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

_RECORDS = pytest.StashKey[list[Any]]()
_SERVED = pytest.StashKey[list[str]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    help_text = (
        "serve the legacy import paths runtime-kit's harness serves (qiskit.providers.ibmq."
        "runtime, qiskit.providers.aer, qiskit.execute...) to this test session"
    )
    parser.addoption("--runtime-kit-legacy", action="store_true", help=help_text)
    parser.addini("runtime_kit_legacy", help_text, type="bool", default=False)
    strict_text = (
        "run_program: an interim result or result that does not match its declared schema "
        "makes the run an ERROR (as `runtime-kit run --strict`)"
    )
    parser.addoption("--runtime-kit-strict", action="store_true", help=strict_text)
    parser.addini("runtime_kit_strict", strict_text, type="bool", default=False)


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config) -> None:
    """Before any conftest.py is imported: a conftest may import a legacy path too."""
    if early_config.known_args_namespace.runtime_kit_legacy or early_config.getini(
        "runtime_kit_legacy"
    ):
        from runtime_kit.harness.legacy_modules import install_legacy_modules

        early_config.stash[_SERVED] = install_legacy_modules()


def pytest_report_header(config: pytest.Config) -> str | None:
    served = config.stash.get(_SERVED, None)
    if served is None:
        return None
    return f"runtime-kit legacy imports: {', '.join(served)}"


@pytest.fixture
def run_program(request: pytest.FixtureRequest) -> Iterator[Callable[..., Any]]:
    """``run_program(path=<rootdir>, **options) -> RunRecord``: see runtime_kit.testing."""
    from runtime_kit.harness.runner import run_program as run

    records: list[Any] = []
    request.node.stash[_RECORDS] = records

    config = request.config
    strict = config.getoption("runtime_kit_strict") or config.getini("runtime_kit_strict")

    def run_and_keep(path: str | Path | None = None, **options: Any) -> Any:
        options.setdefault("strict", bool(strict))
        record = run(path if path is not None else config.rootpath, **options)
        records.append(record)
        return record

    yield run_and_keep


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call" and report.failed:
        records: list[Any] = item.stash.get(_RECORDS, [])
        for index, record in enumerate(records):
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
