"""``runtime-kit validate`` as users run it: a real subprocess, its output and exit codes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_command

CORPUS = ROOT / "tests" / "validate" / "corpus"
RUNTIME_KIT = Path(sys.executable).with_name("runtime-kit")


def run(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return run_command("validate", *args, cwd=cwd)


def test_bad_program_prints_path_line_col_code_message_and_exits_1() -> None:
    case = CORPUS / "bad" / "source-main-args-swapped"
    result = run(case.relative_to(ROOT))
    assert result.returncode == 1
    assert result.stdout == (
        f"{case.relative_to(ROOT)}/program.py:6:1: RK303 main() must start with "
        "(backend, user_messenger, ...), got (user_messenger, backend)\n"
    )
    assert result.stderr == "1 error(s), 0 warning(s) in 1 program\n"


def test_good_program_prints_nothing_and_exits_0() -> None:
    result = run(CORPUS / "good" / "base", ROOT / "examples" / "hello")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_warnings_pass_unless_strict() -> None:
    case = CORPUS / "bad" / "meta-unknown-field"
    relaxed = run(case)
    assert relaxed.returncode == 0
    assert relaxed.stdout.endswith(
        "RK103 unknown field 'author': runtime services ignore it (warning)\n"
    )
    assert "0 error(s), 1 warning(s)" in relaxed.stderr
    assert run(case, "--strict").returncode == 1


def test_json_format_lists_every_finding() -> None:
    case = CORPUS / "bad" / "source-declared-unreachable"
    result = run(case, "--format", "json")
    assert result.returncode == 1
    assert json.loads(result.stdout) == [
        {
            "path": f"{case}/metadata.json",
            "line": 13,
            "col": 9,
            "code": "RK304",
            "message": "parameter 'seed' is declared but main() has neither a 'seed' "
            "parameter nor **kwargs",
            "severity": "error",
        }
    ]
    assert run(case, "--json").stdout == result.stdout


def test_github_format_is_workflow_annotations() -> None:
    case = CORPUS / "bad" / "import-opflow"
    result = run(case, "--format", "github")
    assert result.stdout.startswith(f"::error file={case}/program.py,line=4,col=1,title=RK402::")
    assert "qiskit.opflow" in result.stdout


def test_several_paths_are_reported_together() -> None:
    result = run(CORPUS / "bad" / "import-opflow", CORPUS / "bad" / "source-no-main")
    codes = [line.split(" ")[1] for line in result.stdout.splitlines()]
    assert codes == ["RK402", "RK302"]
    assert "2 error(s), 0 warning(s) in 2 programs" in result.stderr


def test_a_file_path_validates_its_directory() -> None:
    result = run(CORPUS / "bad" / "import-opflow" / "metadata.json")
    assert "RK402" in result.stdout


def test_missing_path_is_a_finding_not_a_traceback(tmp_path: Path) -> None:
    result = run(tmp_path / "nowhere")
    assert result.returncode == 1
    assert result.stdout == f"{tmp_path}/nowhere:0:0: RK001 no such file or directory\n"
    assert "Traceback" not in result.stderr


def test_explicit_program_and_metadata_for_unusual_layouts(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "meta").mkdir()
    shutil.copy(CORPUS / "good" / "base" / "program.py", tmp_path / "src" / "entry.py")
    shutil.copy(
        CORPUS / "bad" / "meta-max-time-zero" / "metadata.json", tmp_path / "meta" / "m.json"
    )
    result = run(
        tmp_path,
        "--program",
        tmp_path / "src" / "entry.py",
        "--metadata",
        tmp_path / "meta" / "m.json",
    )
    assert (
        result.stdout
        == f"{tmp_path}/meta/m.json:4:3: RK106 max_execution_time must be a positive integer "
        "(seconds), not 0\n"
    )


def test_metadata_that_is_a_directory_is_unreadable(tmp_path: Path) -> None:
    shutil.copytree(CORPUS / "good" / "base", tmp_path / "p")
    (tmp_path / "dir.json").mkdir()
    result = run(tmp_path / "p", "--metadata", tmp_path / "dir.json")
    assert result.returncode == 1
    assert f"{tmp_path}/dir.json:0:0: RK001 cannot read file" in result.stdout


@pytest.mark.parametrize(
    "args",
    [["--format", "xml"], ["a", "b", "--program", "x.py"], ["--no-such-option"]],
    ids=["bad-format", "program-with-two-paths", "unknown-option"],
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    result = run(*args)
    assert result.returncode == 2
    assert "usage: runtime-kit validate" in result.stderr


def test_hook_mode_validates_each_changed_program_once(tmp_path: Path) -> None:
    shutil.copytree(CORPUS / "good" / "base", tmp_path / "good")
    shutil.copytree(CORPUS / "bad" / "import-opflow", tmp_path / "bad")
    (tmp_path / "README.md").write_text("docs\n")
    changed = [
        "good/program.py",
        "bad/program.py",
        "bad/metadata.json",
        "bad/inputs/example.json",
        "README.md",
    ]
    result = run("--hook", *changed, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "bad/program.py:4:1: RK402 cannot import 'qiskit.opflow': qiskit.opflow was removed in "
        "qiskit 1.0; use qiskit.quantum_info (SparsePauliOp)"
    ]
    assert "in 2 programs" in result.stderr
    only_docs = run("--hook", "README.md", cwd=tmp_path)
    assert (only_docs.returncode, only_docs.stdout) == (0, "")


@pytest.mark.parametrize(
    "project", [CORPUS / "good" / "encoded-inputs", ROOT / "examples" / "bell-function"]
)
def test_validate_never_imports_qiskit_numpy_typer_or_jsonschema(project: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "runtime_kit", "validate", str(project)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    imported = {
        line.split("|")[-1].strip().split(".")[0]
        for line in result.stderr.splitlines()
        if "|" in line
    }
    assert "runtime_kit" in imported
    assert not imported & {"qiskit", "numpy", "typer", "jsonschema", "scipy", "rich"}


def test_a_closed_pipe_is_not_a_traceback() -> None:
    case = CORPUS / "bad" / "source-no-main"
    result = subprocess.run(
        ["bash", "-c", f"'{RUNTIME_KIT}' validate '{case}' | head -c 0"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "Traceback" not in result.stderr
