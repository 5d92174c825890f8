"""A real service per test module, and a RuntimeService bound to it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from runtime_kit.client.service import RuntimeService
from tests.service.real_server import RealServer


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealServer]:
    # Without the built-in programs: these tests count and clean up programs of their own.
    data = tmp_path_factory.mktemp("service") / "data"
    running = RealServer(data, "--no-builtin-programs").start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def service(server: RealServer) -> Iterator[RuntimeService]:
    client = RuntimeService(server.url, server.token)
    try:
        yield client
    finally:
        for program in client.programs(refresh=True, limit=None):
            client.delete_program(program.program_id)
        client.close()


@pytest.fixture
def client_env(
    server: RealServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """Environment for CLI subprocesses bound to ``server``."""
    import os

    return {
        **os.environ,
        "RUNTIME_KIT_URL": server.url,
        "RUNTIME_KIT_TOKEN": server.token,
        "RUNTIME_KIT_CONFIG": str(tmp_path / "config.json"),
    }
