"""``runtime-kit migrate --source`` as a user runs it (real subprocesses)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_command

LEGACY = "from qiskit.providers.aer import AerSimulator\n"
MODERN = "from qiskit_aer import AerSimulator\n"


def test_stdout_prints_the_migrated_source_and_writes_nothing(tmp_path: Path) -> None:
    program = tmp_path / "program.py"
    program.write_text(LEGACY)
    result = run_command("migrate", "--source", "--stdout", program)
    assert (result.returncode, result.stdout, result.stderr) == (0, MODERN, "")
    assert program.read_text() == LEGACY
    assert run_command("migrate", "--source", "--stdout", tmp_path).returncode == 2


def test_a_directory_is_migrated_file_by_file_and_failures_are_one_line_each(
    tmp_path: Path,
) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "legacy.py").write_text(LEGACY)
    (tmp_path / "modern.py").write_text(MODERN)
    (tmp_path / "broken.py").write_text("def main(:\n")
    (tmp_path / ".venv" / "lib").mkdir(parents=True)
    (tmp_path / ".venv" / "lib" / "vendored.py").write_text(LEGACY)
    result = run_command("migrate", "--source", tmp_path, tmp_path / "missing.py")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"error: {tmp_path / 'broken.py'}:1:10: invalid syntax",
        f"{tmp_path / 'pkg' / 'legacy.py'}: legacy imports migrated",
        f"{tmp_path / 'missing.py'}:0:0: error: no such file or directory",
    ]
    assert (tmp_path / "pkg" / "legacy.py").read_text() == MODERN
    assert (tmp_path / ".venv" / "lib" / "vendored.py").read_text() == LEGACY


def test_names_without_a_modern_spelling_are_listed_and_fail_the_command(tmp_path: Path) -> None:
    program = tmp_path / "program.py"
    program.write_text("from qiskit.compiler import transpile, schedule\n" + LEGACY)
    result = run_command("migrate", "--source", program)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"{program}:1:1: note: qiskit.compiler.schedule left as is: qiskit.compiler.schedule "
        "was removed without a successor; runtime-kit serves it only as a stub that raises "
        "when called: remove its use",
        f"{program}: legacy imports migrated",
        "1 legacy name(s) without a modern spelling left as they are",
    ]
    assert program.read_text() == "from qiskit.compiler import transpile, schedule\n" + MODERN
