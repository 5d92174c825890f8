"""Metadata documents: parsing errors with positions, and finding where any value stands."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runtime_kit import MetadataSyntaxError
from runtime_kit.metadata.document import MetadataDocument, load_document
from runtime_kit.validation import program_directories

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=20,
)


def paths(value: Any, keys: tuple = ()) -> list[tuple]:
    found = [keys]
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*keys, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths(item, (*keys, index))
    return found


def offset(text: str, line: int, col: int) -> int:
    return sum(len(row) + 1 for row in text.split("\n")[: line - 1]) + col - 1


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(st.text(max_size=6), json_values, max_size=5), st.sampled_from([None, 1, 2, 4])
)
def test_json_position_points_at_the_member_or_item(data: dict, indent: int | None) -> None:
    text = json.dumps(data, indent=indent, ensure_ascii=False)
    doc = MetadataDocument(Path("m.json"), text, data)
    for keys in paths(data)[1:]:
        at = offset(text, *doc.position(keys))
        parent: Any = data
        for key in keys[:-1]:
            parent = parent[key]
        if isinstance(keys[-1], str):
            assert text.startswith(json.dumps(keys[-1], ensure_ascii=False), at), keys
        else:
            item, _ = json.JSONDecoder().raw_decode(text, at)
            assert item == parent[keys[-1]], keys


def test_json_position_of_a_missing_key_is_its_parent() -> None:
    text = '{\n  "spec": {\n    "parameters": {}\n  }\n}'
    doc = MetadataDocument(Path("m.json"), text, json.loads(text))
    assert doc.position(("spec", "parameters")) == (3, 5)
    assert doc.position(("spec", "nope")) == (2, 3)
    assert doc.position(()) == (1, 1)


def test_yaml_positions(tmp_path: Path) -> None:
    path = tmp_path / "metadata.yaml"
    path.write_text(
        "name: x\nspec:\n  parameters:\n    required: [a, b]\n    items:\n      - 1\n      - 2\n"
    )
    doc = load_document(path)
    assert doc.position(("spec", "parameters", "required", 1)) == (4, 19)
    assert doc.position(("spec", "parameters", "items", 1)) == (7, 9)
    assert doc.position(("spec", "nope")) == (2, 1)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("m.json", b'{"a": }', "invalid JSON: Expecting value (m.json:1:7)"),
        (
            "m.yaml",
            b"a: [1, 2\n",
            "invalid YAML: expected ',' or ']', but got '<stream end>' (m.yaml:2:1)",
        ),
        ("m.json", b"\x00\x01binary", "binary file, expected text (m.json:0:0)"),
        ("m.json", b'{"a": "\xff"}', "not UTF-8 text (byte 7) (m.json:0:0)"),
        ("m.json", b"[" * 100_000, "JSON nested too deeply (m.json:0:0)"),
    ],
    ids=["json", "yaml", "binary", "latin-1", "deep"],
)
def test_unparsable_files_raise_one_error_with_position(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(MetadataSyntaxError) as caught:
        load_document(path)
    assert str(caught.value) == message.replace(name, str(path))


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_bytes(b'\xef\xbb\xbf{"name": "x"}')
    assert load_document(path).data == {"name": "x"}


def test_program_directories_maps_files_to_their_programs(tmp_path: Path) -> None:
    for program in ("a", "b/nested"):
        (tmp_path / program / "inputs").mkdir(parents=True)
        (tmp_path / program / "program.py").write_text("")
    (tmp_path / "docs").mkdir()
    files = ["a/inputs/x.json", "b/nested/program.py", "a/program.py", "docs/index.md", "setup.py"]
    assert program_directories([tmp_path / f for f in files], root=tmp_path) == [
        Path("a"),
        Path("b/nested"),
    ]
