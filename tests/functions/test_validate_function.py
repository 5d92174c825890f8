"""``validate`` of a function project: every problem with its file, line and code."""

from __future__ import annotations

import json
from pathlib import Path

from runtime_kit import validate
from tests.conftest import run_command
from tests.functions.conftest import ENTRYPOINT, make_function


def _codes(path: Path) -> list[tuple[str, str, str]]:
    return [(Path(f.path).name, f.code, f.message) for f in validate(path)]


def test_a_good_project_has_no_findings_and_the_cli_agrees(tmp_path: Path) -> None:
    project = make_function(tmp_path)
    assert validate(project) == []
    assert validate(project / "function.json") == []
    checked = run_command("validate", project)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_function_json_problems(tmp_path: Path) -> None:
    project = make_function(tmp_path, title="bad title", extra=1, max_execution_time=0)
    found = _codes(project)
    assert (
        "function.json",
        "RK701",
        "title 'bad title': letters, digits, '_' and '-', at most 64",
    ) in found
    assert any(code == "RK702" and "unknown field 'extra'" in m for _, code, m in found)
    assert ("function.json", "RK701", "max_execution_time must be >= 1") in found
    (project / "function.json").write_text('{"title": "x"')
    assert [code for _, code, _ in _codes(project)] == ["RK002"]
    (project / "function.json").write_text('{"title": "x"}')
    assert ("function.json", "RK701", "entrypoint is required") in _codes(project)


def test_entrypoints_outside_or_missing(tmp_path: Path) -> None:
    for name, given in (("up", "../main.py"), ("abs", "/tmp/main.py"), ("gone", "other.py")):
        project = make_function(tmp_path / name, entrypoint=ENTRYPOINT)
        document = json.loads((project / "function.json").read_text())
        (project / "function.json").write_text(json.dumps({**document, "entrypoint": given}))
        found = _codes(project)
        assert [code for _, code, _ in found] == ["RK703"], found
    link = make_function(tmp_path / "link")
    (tmp_path / "outside.py").write_text("1")
    (link / "src" / "main.py").unlink()
    (link / "src" / "main.py").symlink_to(tmp_path / "outside.py")
    assert any("leaves the working_dir" in m for _, _, m in _codes(link))


def test_what_the_script_reads_against_the_schema(tmp_path: Path) -> None:
    script = ENTRYPOINT + "print(arguments['missing'], get_arguments().get('other'))\n"
    found = _codes(make_function(tmp_path, script))
    reads = [m for _, code, m in found if code == "RK704"]
    assert len(reads) == 2 and "'missing'" in reads[0] and "so no run can give it" in reads[0]


def test_imports_schema_examples_and_dependencies(tmp_path: Path) -> None:
    script = (
        "from qiskit_serverless import ServerlessClient, save_result\n"
        "import qiskit_serverless.core\nimport no_such_module_anywhere\n"
    )
    project = make_function(
        tmp_path,
        script,
        schema={"type": "object", "properties": {"shots": {"type": "nope"}}},
        dependencies=["numpy>=1", "-e ./local", 3],
    )
    (project / "arguments" / "bad.json").write_text('{"shots": "many"}')
    found = _codes(project)
    codes = {code for _, code, _ in found}
    assert {"RK402", "RK401", "RK201", "RK601"} <= codes, found
    assert any("ServerlessClient" in m and "a client has no use there" in m for _, _, m in found)
    assert any("qiskit_serverless.core" in m for _, _, m in found)
    good_schema = make_function(tmp_path / "examples")
    (good_schema / "arguments" / "bad.json").write_text('{"shots": "many"}')
    assert [(name, code) for name, code, _ in _codes(good_schema)] == [("bad.json", "RK705")]


def test_no_save_result_is_a_warning(tmp_path: Path) -> None:
    found = _codes(make_function(tmp_path, "print('hi')\n"))
    assert [code for _, code, _ in found] == ["RK706"]
