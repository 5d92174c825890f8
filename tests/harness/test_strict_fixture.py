"""The ``run_program`` fixture made strict about schemas, by option and by ini setting."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

PROGRAM = 'def main(backend, user_messenger):\n    return {"energy": "low"}\n'
TEST = """
def test_it_runs(run_program):
    record = run_program()
    assert record.status == "DONE", record.error
"""


def _project(root: Path, ini: str = "") -> Path:
    root.mkdir()
    (root / "program.py").write_text(PROGRAM)
    spec = {"return_values": {"type": "object", "properties": {"energy": {"type": "number"}}}}
    metadata = {"name": "p", "description": "d", "max_execution_time": 60, "spec": spec}
    (root / "metadata.json").write_text(json.dumps(metadata))
    (root / "tests").mkdir()
    (root / "tests" / "test_program.py").write_text(TEST)
    (root / "pytest.ini").write_text(f"[pytest]\ntestpaths = tests\n{ini}")
    return root


def _pytest(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_mismatches_are_warnings_unless_the_fixture_is_strict(tmp_path: Path) -> None:
    project = _project(tmp_path / "p")
    assert _pytest(project).returncode == 0
    strict = _pytest(project, "--runtime-kit-strict")
    assert strict.returncode == 1
    assert "strict: result does not match its schema: $.energy" in strict.stdout


def test_the_ini_setting_makes_it_strict(tmp_path: Path) -> None:
    strict = _pytest(_project(tmp_path / "p", "runtime_kit_strict = true\n"))
    assert strict.returncode == 1
    assert "strict: result does not match its schema" in strict.stdout
