"""A legacy program using ``qiskit.execute`` and ``qiskit.Aer``: it runs unchanged through
``runtime-kit run`` and on a real ``runtime-kit serve``; ``migrate --source`` turns it into a
program that runs the same without the legacy layer."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.legacy.repository import write_execute_program
from tests.service.real_server import RealServer

RUNTIME_KIT = str(Path(sys.executable).with_name("runtime-kit"))
RESULT = {"shots": 1024, "outcomes": ["000", "111"]}


def cli(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [RUNTIME_KIT, *map(str, args)],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def run_json(program: Path) -> dict:
    result = cli("run", program, "--seed", "5", "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def program(tmp_path: Path) -> Path:
    return write_execute_program(tmp_path / "legacy-ghz")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealServer]:
    running = RealServer(tmp_path_factory.mktemp("service") / "data").start()
    try:
        yield running
    finally:
        running.stop()


def test_it_validates_and_runs_unchanged_through_the_harness(program: Path) -> None:
    assert cli("validate", program).returncode == 0
    record = run_json(program)
    assert record["status"] == "DONE", record["error"]
    assert record["result"] == RESULT
    assert sum(record["interim_results"][0]["local"].values()) == 200


def test_it_runs_unchanged_on_a_real_service(program: Path, server: RealServer) -> None:
    env = {**os.environ, "RUNTIME_KIT_URL": server.url, "RUNTIME_KIT_TOKEN": server.token}
    published = cli("publish", program, "--json", env=env)
    assert published.returncode == 0, published.stderr
    followed = cli("jobs", "submit", "legacy-ghz", "--follow", "--param", "size=2", env=env)
    assert followed.returncode == 0, followed.stderr + followed.stdout
    lines = followed.stdout.splitlines()
    assert lines[0].startswith('interim: {"local": {')
    assert lines[-1] == 'result: {"shots": 1024, "outcomes": ["00", "11"]}'


def test_migrate_source_leaves_a_program_that_runs_the_same_without_the_layer(
    program: Path, tmp_path: Path
) -> None:
    legacy = shutil.copytree(program, tmp_path / "before")
    checked = cli("migrate", "--source", "--check", program)
    assert checked.returncode == 1
    assert f"{program / 'program.py'}: legacy imports would be migrated" in checked.stderr
    migrated = cli("migrate", "--source", program)
    assert migrated.returncode == 0, migrated.stderr
    source = (program / "program.py").read_text()
    for legacy_name in ("execute(", "qiskit.providers", "import Aer,"):
        assert legacy_name not in source
    assert cli("migrate", "--source", program).stderr == "nothing to migrate\n"

    without_layer = subprocess.run(
        [sys.executable, "-c", BARE_RUN],
        cwd=program,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert without_layer.returncode == 0, without_layer.stderr
    assert json.loads(without_layer.stdout) == {"shots": 1024, "outcomes": ["0000", "1111"]}
    assert cli("validate", program).returncode == 0
    assert run_json(program) | {"duration_s": 0} == run_json(legacy) | {"duration_s": 0}


#: The migrated program in a bare interpreter: no harness, no legacy paths served.
BARE_RUN = """
import json, sys
sys.path.insert(0, ".")
import program
from qiskit_aer import AerSimulator
from runtime_kit.harness.legacy_modules import LegacyFinder
from runtime_kit.program.messenger import RecordingMessenger

result = program.main(AerSimulator(), RecordingMessenger(), size=4, shots=50)
assert not any(isinstance(finder, LegacyFinder) for finder in sys.meta_path)
assert not [name for name in sys.modules if name.startswith("qiskit.providers.ibmq")]
print(json.dumps(result))
"""
