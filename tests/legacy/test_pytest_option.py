"""A legacy repository's own tests, run by the real pytest, pass unchanged with the option."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from runtime_kit.harness.legacy_modules import served_paths
from tests.legacy.repository import write_partner_repository


def pytest_in(repository: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m pytest test`` from the repository root, as its authors ran it."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "test", "-p", "no:cacheprovider", *args],
        cwd=repository,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_without_the_option_collection_stops_at_the_legacy_imports(tmp_path: Path) -> None:
    result = pytest_in(write_partner_repository(tmp_path / "repo"))
    assert result.returncode == 2, result.stdout
    assert "ModuleNotFoundError: No module named 'qiskit.providers.aer'" in result.stdout
    assert "ModuleNotFoundError: No module named 'qiskit.providers.ibmq'" in result.stdout
    assert "Interrupted: 2 errors during collection" in result.stdout
    assert "runtime-kit legacy imports" not in result.stdout


def test_with_the_option_every_test_passes_and_the_header_says_what_is_served(
    tmp_path: Path,
) -> None:
    result = pytest_in(write_partner_repository(tmp_path / "repo"), "--runtime-kit-legacy")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout
    header = [line for line in result.stdout.splitlines() if "runtime-kit legacy" in line]
    assert header == [f"runtime-kit legacy imports: {', '.join(served_paths())}"]


def test_the_ini_setting_does_the_same(tmp_path: Path) -> None:
    repository = write_partner_repository(tmp_path / "repo")
    (repository / "pytest.ini").write_text("[pytest]\nruntime_kit_legacy = true\n")
    result = pytest_in(repository, "-q")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout
