"""``runtime-kit update``: template versions, and three-way merges that keep the user's edits.

The estimator template really changed from version 1 to 2 (V2 results, a schema that
constrains ``observable``): projects made from version 1 are updated to it, with real
cookiecutter renders and real files.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from runtime_kit import validate
from runtime_kit.scaffold import RECORD_FILE, bundled_templates, create_project
from runtime_kit.template_versions import (
    actual_digests,
    current_version,
    recorded_digests,
    versions,
)
from runtime_kit.update import update_project
from tests.conftest import ROOT, run_command


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


@pytest.fixture
def old_estimator(tmp_path: Path) -> Path:
    """A project made from version 1 of the estimator template."""
    return create_project("Old VQE", template="estimator", output_dir=tmp_path, version=1)


def test_new_records_the_template_its_version_and_the_answers(tmp_path: Path) -> None:
    made = run_command("new", "Recorded", "-t", "sampler", "-o", tmp_path, "--set", "author=Ada")
    assert made.returncode == 0, made.stderr
    record = json.loads((tmp_path / "recorded" / RECORD_FILE).read_text())
    assert record["template"] == "sampler" and record["version"] == current_version("sampler")
    assert record["answers"]["project_name"] == "Recorded"
    assert record["answers"]["author"] == "Ada"
    assert not any(key.startswith("_") for key in record["answers"])
    assert "program.py" in run_command("build", tmp_path / "recorded", "--list").stdout
    assert RECORD_FILE not in run_command("build", tmp_path / "recorded", "--list").stdout


def test_every_version_is_kept_and_unchanged() -> None:
    """A template edited without a new version fails here: see runtime_kit/template_versions.py
    (`python -m runtime_kit.template_versions bump NAME`, edit, then `record`)."""
    assert recorded_digests() == actual_digests()
    for template in bundled_templates():
        assert versions(template.name) == list(range(1, current_version(template.name) + 1))
    assert current_version("estimator") >= 2  # 1 -> 2 is the change the tests below merge


@pytest.mark.parametrize(
    ("template", "version"),
    [(t.name, v) for t in bundled_templates() for v in versions(t.name)],
)
def test_every_version_renders_a_valid_project(template: str, version: int, tmp_path: Path) -> None:
    project = create_project("Any", template=template, output_dir=tmp_path, version=version)
    # estimator version 1 declared prefixItems under draft 2019-09, which ignores it: the bug
    # version 2 fixed, and what validate's RK205 warns about.
    known = {("estimator", 1): ["RK205"]}.get((template, version), [])
    assert [finding.code for finding in validate(project)] == known
    assert json.loads((project / RECORD_FILE).read_text())["version"] == version


def test_update_keeps_the_users_edits_and_takes_the_templates(
    old_estimator: Path, tmp_path: Path
) -> None:
    program, readme = old_estimator / "program.py", old_estimator / "README.md"
    edit(program, "maxiter=60,", "maxiter=80,  # enough for my molecule")
    readme.write_text(readme.read_text() + "\nMy notes on this project.\n")
    (old_estimator / "notes.txt").write_text("mine alone\n")

    assert run_command("update", old_estimator, "--check").returncode == 1
    updated = run_command("update", old_estimator)
    assert updated.returncode == 0, updated.stdout + updated.stderr
    assert f"updated: estimator 1 -> {current_version('estimator')}" in updated.stdout
    assert "merged   program.py" in updated.stdout

    text = program.read_text()
    assert "maxiter=80,  # enough for my molecule" in text  # the user's edit
    assert '"result": best,' in text  # the template's change, in the same file
    assert readme.read_text().endswith("My notes on this project.\n")
    assert (old_estimator / "notes.txt").read_text() == "mine alone\n"
    fresh = create_project("Old VQE", template="estimator", output_dir=tmp_path / "fresh")
    for untouched in ("metadata.json", "tests/test_program.py"):
        assert (old_estimator / untouched).read_text() == (fresh / untouched).read_text()
    assert json.loads((old_estimator / RECORD_FILE).read_text())["version"] == current_version(
        "estimator"
    )
    assert validate(old_estimator) == []
    again = run_command("update", old_estimator, "--check")
    expected = f"up to date: estimator version {current_version('estimator')}"
    assert (again.returncode, again.stdout.strip()) == (0, expected)


def test_a_conflict_leaves_markers_and_exits_1(old_estimator: Path) -> None:
    metadata, program = old_estimator / "metadata.json", old_estimator / "program.py"
    schema_line = '"$schema": "https://json-schema.org/draft/2019-09/schema",\n      "type"'
    edit(metadata, schema_line, schema_line.replace("2019-09", "2020-12-mine"))
    edit(program, "    energies = []\n", "    energies = []  # my summary\n")

    updated = run_command("update", old_estimator, "--json")
    assert updated.returncode == 1
    report = json.loads(updated.stdout)
    assert report["conflicts"] == ["metadata.json"] and report["merged"] == ["program.py"]
    text = metadata.read_text()
    assert text.count("<<<<<<< yours") == 1 and text.count(">>>>>>> template") == 1
    mine, theirs = text.split("<<<<<<< yours\n")[1].split(">>>>>>> template")[0].split("=======\n")
    assert "2020-12-mine" in mine
    assert "draft/2020-12/schema" in theirs
    assert '"items": false' in text  # the template's change elsewhere in the file is merged
    assert "# my summary" in program.read_text() and '"result": best' in program.read_text()
    assert json.loads((old_estimator / RECORD_FILE).read_text())["version"] == current_version(
        "estimator"
    )
    # Until they are resolved: validate names the conflict, and update merges nothing more.
    first = text.splitlines().index("<<<<<<< yours") + 1
    last = text.splitlines().index(">>>>>>> template") + 1
    checked = run_command("validate", old_estimator)
    assert checked.returncode == 1
    assert (
        f"metadata.json:{first}:1: RK005 unresolved merge conflict from `runtime-kit update`"
        in (checked.stdout)
    )
    assert f"(lines {first}-{last})" in checked.stdout and "RK002" not in checked.stdout
    again = run_command("update", old_estimator)
    assert again.returncode == 1 and "up to date" not in again.stdout
    assert f"not updated: unresolved merge conflicts (metadata.json:{first}-{last})" in again.stdout
    program.write_text(
        program.read_text() + "<<<<<<< yours\nx = 1\n=======\nx = 2\n>>>>>>> template\n"
    )
    assert "RK005" in run_command("validate", old_estimator).stdout


def test_a_project_without_a_record_is_a_usage_error(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "tests" / "validate" / "corpus" / "good" / "base", tmp_path / "p")
    result = run_command("update", tmp_path / "p")
    assert result.returncode == 2
    assert f"has no {RECORD_FILE}" in result.stderr and "Traceback" not in result.stderr


def test_added_removed_and_deleted_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A next hello version that adds a file, drops two and changes one, against a project in
    which the user edited one of the dropped files and deleted the changed one."""
    import runtime_kit.scaffold

    root = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", root, ignore=shutil.ignore_patterns("_history"))
    monkeypatch.setattr(runtime_kit.scaffold, "templates_dir", lambda: root)
    project = create_project("Hi", template="hello", output_dir=tmp_path / "out")
    (project / ".pre-commit-config.yaml").write_text("# my hooks\n")  # dropped there: kept
    (project / "README.md").unlink()  # changed there: stays deleted

    version = current_version("hello")
    history = root / "_history" / "hello" / str(version)
    shutil.copytree(root / "hello", history)
    body = root / "hello" / "{{cookiecutter.project_slug}}"
    edit(
        root / "hello" / "cookiecutter.json", f'"_version": {version}', f'"_version": {version + 1}'
    )
    (body / "CHANGES.md").write_text("# {{ cookiecutter.project_name }} changes\n")
    (body / ".pre-commit-config.yaml").unlink()
    (body / ".gitignore").unlink()
    edit(
        body / "README.md",
        "# {{ cookiecutter.project_name }}",
        "# {{ cookiecutter.project_name }}!",
    )

    report = update_project(project)
    assert (report.from_version, report.to_version) == (version, version + 1)
    assert report.added == ["CHANGES.md"] and report.removed == [".gitignore"]
    assert report.conflicts == [".pre-commit-config.yaml", "README.md"]
    assert (project / "CHANGES.md").read_text() == "# Hi changes\n"
    assert (project / ".pre-commit-config.yaml").read_text() == "# my hooks\n"
    assert not (project / ".gitignore").exists() and not (project / "README.md").exists()
    assert update_project(project, check=True).available is False
