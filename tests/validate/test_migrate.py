"""``migrate``: v1 metadata rewritten as v2, by the library and by the command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from runtime_kit import MigrationError, migrate_file, migrate_metadata, validate
from runtime_kit.metadata.migrate import schema_for_type
from tests.conftest import ROOT, run_command

CORPUS = ROOT / "tests" / "validate" / "corpus"
RUNTIME_KIT = Path(sys.executable).with_name("runtime-kit")
SCHEMA = "https://json-schema.org/draft/2019-09/schema"

V1 = {
    "name": "qaoa",
    "description": "QAOA.",
    "max_execution_time": 18000,
    "version": "1.0",
    "is_public": True,
    "backend_requirements": {"min_num_qubits": 5},
    "parameters": [
        {"name": "operator", "description": "Cost.", "type": "PauliSumOp", "required": True},
        {"name": "reps", "description": "Layers.", "type": "int", "required": False},
        {"name": "angles", "type": "list of floats"},
    ],
    "return_values": [{"name": "-", "description": "Result.", "type": "dict"}],
    "interim_results": [{"name": "energy", "description": "E.", "type": "float"}],
    "author": "kept",
}


@pytest.mark.parametrize(
    ("label", "schema"),
    [
        ("int", {"type": "integer"}),
        ("Integer", {"type": "integer"}),
        ("float", {"type": "number"}),
        ("str", {"type": "string"}),
        ("bool", {"type": "boolean"}),
        ("dict", {"type": "object"}),
        ("list", {"type": "array"}),
        ("numpy.ndarray", {"type": "array"}),
        ("list[int]", {"type": "array", "items": {"type": "integer"}}),
        ("List[float]", {"type": "array", "items": {"type": "number"}}),
        ("list of floats", {"type": "array", "items": {"type": "number"}}),
        ("int or float", {"type": ["integer", "number"]}),
        ("str | None", {"type": ["string", "null"]}),
        ("Union[int, None]", {"type": ["integer", "null"]}),
        ("Optional[int]", {"type": ["integer", "null"]}),
        ("A QuantumCircuit or a list of QuantumCircuits.", None),
        ("PauliSumOp", None),
        ("list of QuantumCircuit", None),
        ("float or complex", None),
    ],
)
def test_v1_type_labels_map_to_json_schema(label: str, schema: dict | None) -> None:
    assert schema_for_type(label) == schema


def test_migrate_metadata_groups_under_spec_as_json_schema() -> None:
    v2, notes = migrate_metadata(V1)
    assert v2 == {
        "name": "qaoa",
        "description": "QAOA.",
        "max_execution_time": 18000,
        "is_public": True,
        "version": "1.0",
        "spec": {
            "backend_requirements": {"min_num_qubits": 5},
            "parameters": {
                "$schema": SCHEMA,
                "type": "object",
                "properties": {
                    "operator": {"description": "Cost. (v1 type: PauliSumOp)"},
                    "reps": {"description": "Layers.", "type": "integer"},
                    "angles": {"type": "array", "items": {"type": "number"}},
                },
                "required": ["operator"],
            },
            "return_values": {"$schema": SCHEMA, "description": "Result.", "type": "object"},
            "interim_results": {
                "$schema": SCHEMA,
                "type": "object",
                "properties": {"energy": {"description": "E.", "type": "number"}},
            },
        },
        "author": "kept",
    }
    assert [(n.keys, n.message) for n in notes] == [
        (
            ("parameters", 0, "type"),
            "type 'PauliSumOp' has no JSON Schema equivalent: kept in description",
        ),
    ]


def test_duplicate_names_keep_the_later_entry_with_a_note() -> None:
    v1 = {**V1, "parameters": [{"name": "a", "type": "int"}, {"name": "a", "type": "str"}]}
    v2, notes = migrate_metadata(v1)
    assert v2["spec"]["parameters"]["properties"] == {"a": {"type": "string"}}
    assert "duplicate 'a'" in notes[0].message


def test_migrated_file_validates_clean_and_keeps_indent_and_mode(tmp_path: Path) -> None:
    program = tmp_path / "p"
    program.mkdir()
    source = CORPUS / "bad" / "meta-v1-deprecated"
    (program / "program.py").write_text((source / "program.py").read_text())
    metadata = program / "metadata.json"
    metadata.write_text(json.dumps(json.loads((source / "metadata.json").read_text()), indent=4))
    metadata.chmod(0o640)
    assert [f.code for f in validate(program)] == ["RK104"]

    migration = migrate_file(metadata)

    assert migration.changed and json.loads(metadata.read_text())["version"] == "1.0"
    assert validate(program) == []
    assert metadata.read_text().startswith('{\n    "name": "corpus-base",\n')
    assert metadata.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in program.iterdir()) == ["metadata.json", "program.py"]
    assert not migrate_file(metadata).changed  # already v2


def test_yaml_stays_yaml_and_comments_are_noted(tmp_path: Path) -> None:
    metadata = tmp_path / "metadata.yaml"
    metadata.write_text(
        "# my program\nname: demo\ndescription: d\nmax_execution_time: 60\n"
        "parameters:\n  - name: shots\n    type: int\n    required: true\n"
    )
    migration = migrate_file(metadata)
    assert yaml.safe_load(metadata.read_text())["spec"]["parameters"] == {
        "$schema": SCHEMA,
        "type": "object",
        "properties": {"shots": {"type": "integer"}},
        "required": ["shots"],
    }
    assert migration.notes[-1].message == "YAML comments are not carried over"


def test_unmigratable_entry_names_its_place_and_leaves_the_file(tmp_path: Path) -> None:
    metadata = tmp_path / "metadata.json"
    text = (
        '{\n  "name": "x",\n  "max_execution_time": 1,\n'
        '  "parameters": [\n    {"type": "int"}\n  ]\n}\n'
    )
    metadata.write_text(text)
    with pytest.raises(MigrationError, match=r"metadata.json:5:5: each entry must be an object"):
        migrate_file(metadata)
    assert metadata.read_text() == text


def migrate(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return run_command("migrate", *args, cwd=cwd)


@pytest.fixture
def v1_file(tmp_path: Path) -> Path:
    path = tmp_path / "metadata.json"
    path.write_text(json.dumps(V1, indent=2) + "\n")
    return path


def test_check_reports_and_writes_nothing(v1_file: Path) -> None:
    before = v1_file.read_bytes()
    result = migrate("--check", v1_file)
    assert result.returncode == 1
    assert f"{v1_file}: v1 metadata, would be migrated" in result.stderr
    assert f"{v1_file}:14:7: note: type 'PauliSumOp' has no JSON Schema equivalent" in result.stderr
    assert v1_file.read_bytes() == before


def test_stdout_prints_v2_and_writes_nothing(v1_file: Path) -> None:
    before = v1_file.read_bytes()
    result = migrate("--stdout", v1_file)
    assert result.returncode == 0
    assert json.loads(result.stdout) == migrate_metadata(V1)[0]
    assert v1_file.read_bytes() == before


def test_command_migrates_a_program_directory_in_place(v1_file: Path) -> None:
    result = migrate(v1_file.parent)
    assert result.returncode == 0
    assert f"{v1_file}: migrated to v2" in result.stderr
    assert json.loads(v1_file.read_text()) == migrate_metadata(V1)[0]
    again = migrate(v1_file.parent, "--check")
    assert again.returncode == 0
    assert "already v2, nothing to do" in again.stderr


def test_broken_json_is_one_line_error_exit_1(tmp_path: Path) -> None:
    path = tmp_path / "metadata.json"
    path.write_text('{"name": "x",,}')
    result = migrate(path)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"error: invalid JSON: Expecting property name enclosed in double quotes ({path}:1:14)"
    ]


def test_directory_without_metadata_exits_1(tmp_path: Path) -> None:
    result = migrate(tmp_path)
    assert result.returncode == 1
    assert "no metadata file found" in result.stderr


@pytest.mark.parametrize(
    "args",
    [["--stdout", "a.json", "b.json"], ["--check", "--stdout", "a.json"], ["--bogus"]],
    ids=["stdout-two-paths", "check-and-stdout", "unknown-option"],
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    result = migrate(*args)
    assert result.returncode == 2
    assert "usage: runtime-kit migrate" in result.stderr
