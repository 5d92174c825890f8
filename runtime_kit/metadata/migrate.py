"""v1 metadata (flat lists, reference §2.2) rewritten as v2 (``spec`` + JSON Schemas, §2.3).

v1 item types are free text ("int", "list of float", "A QuantumCircuit or a list of
QuantumCircuits."): the usual spellings map to JSON Schema types; anything else is kept in
the item's description and reported as a note, so nothing the author wrote is lost.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runtime_kit.errors import MigrationError
from runtime_kit.files import write_atomically
from runtime_kit.metadata.checks import DECLARED, metadata_version
from runtime_kit.metadata.document import YAML_SUFFIXES, MetadataDocument, load_document
from runtime_kit.metadata.schema_validators import DEFAULT_DIALECT_URI

#: v1 type spellings (lower case, without "numpy."/"typing." prefixes) -> JSON Schema type.
TYPE_WORDS = {
    "int": "integer",
    "integer": "integer",
    "float": "number",
    "number": "number",
    "double": "number",
    "real": "number",
    "str": "string",
    "string": "string",
    "bool": "boolean",
    "boolean": "boolean",
    "dict": "object",
    "object": "object",
    "mapping": "object",
    "list": "array",
    "array": "array",
    "tuple": "array",
    "sequence": "array",
    "ndarray": "array",
    "none": "null",
    "null": "null",
}
_TOP_LEVEL_ORDER = ("name", "description", "max_execution_time", "is_public", "version")
_CONTAINER = re.compile(r"^(list|tuple|sequence|array|ndarray)\s*(?:\[(.+)\]|of\s+(.+?)s?)$")
_ALTERNATIVES = re.compile(r"\s*(?:\||,|\bor\b)\s*")
_UNION = re.compile(r"^(?:union|optional)\[(.+)\]$")


@dataclass
class Note:
    """Something the migration changed or could not map, at ``keys`` of the v1 document."""

    keys: tuple[str | int, ...]
    message: str


@dataclass
class Migration:
    """The outcome for one file: the v2 data and text (``None`` when it already was v2)."""

    path: Path
    data: dict[str, Any] | None = None
    text: str | None = None
    notes: list[Note] = field(default_factory=list)
    positions: list[tuple[int, int]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.text is not None


def migrate_metadata(
    data: dict[str, Any], *, typed_parameters: bool = True
) -> tuple[dict[str, Any], list[Note]]:
    """The v2 form of v1 metadata ``data``, and notes on what could not map one to one.

    With ``typed_parameters=False`` the parameters keep their v1 types as words in their
    descriptions, not as JSON Schema types: IBM's service did not check v1 types, so inputs
    it took (a dict sent as a JSON string by a legacy ``to_json``) are taken too.  That is
    how a v1 program is read to be run or published; ``runtime-kit migrate`` writes types.

    Raises:
        MigrationError: an entry of a v1 list is not an object with a string ``name``.
    """
    notes: list[Note] = []
    v2: dict[str, Any] = {key: data[key] for key in _TOP_LEVEL_ORDER if key in data}
    spec: dict[str, Any] = {}
    if "backend_requirements" in data:
        spec["backend_requirements"] = data["backend_requirements"]
    for key in DECLARED:
        items = data.get(key)
        if items is None:
            continue
        if not isinstance(items, list):
            raise MigrationError(f"{key} must be a list in v1 metadata", keys=(key,))
        typed = typed_parameters or key != "parameters"
        spec[key] = _declared_schema(key, items, notes, typed=typed)
    if spec:
        v2["spec"] = spec
    for key, value in data.items():
        if key not in v2 and key not in ("backend_requirements", *DECLARED):
            v2[key] = value  # unknown fields stay; validate warns about them
    return v2, notes


def migrate_file(path: Path, *, write: bool = True) -> Migration:
    """Migrate the v1 metadata file at ``path`` in place (atomically), keeping JSON or YAML.

    With ``write=False`` nothing is written: the returned ``Migration`` says what would be.

    Raises:
        MetadataSyntaxError: the file cannot be read or parsed.
        MigrationError: the file is not metadata that can be migrated.
    """
    doc = load_document(path)
    migration = Migration(path)
    if not isinstance(doc.data, dict):
        raise MigrationError(f"{path}:1:1: metadata must be a JSON/YAML object")
    if metadata_version(doc.data) == 2:
        return migration
    try:
        migration.data, migration.notes = migrate_metadata(doc.data)
    except MigrationError as exc:
        raise MigrationError(f"{_where(doc, exc.keys)}: {exc.reason}", keys=exc.keys) from exc
    located = sorted(
        ((doc.position(note.keys), note) for note in migration.notes), key=lambda p: p[0]
    )
    migration.positions = [position for position, _ in located]
    migration.notes = [note for _, note in located]
    if doc.yaml_root is not None and "#" in doc.text:
        migration.notes.append(Note((), "YAML comments are not carried over"))
        migration.positions.append((1, 1))
    migration.text = _render(doc, migration.data)
    if write:
        write_atomically(path, migration.text.encode())
    return migration


def _declared_schema(
    key: str, items: list[Any], notes: list[Note], *, typed: bool = True
) -> dict[str, Any]:
    schema: dict[str, Any] = {"$schema": DEFAULT_DIALECT_URI}
    entries = []
    for index, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise MigrationError(
                "each entry must be an object with a string name", keys=(key, index)
            )
        entries.append((index, item))
    if key != "parameters" and len(entries) == 1 and entries[0][1]["name"] == "-":
        index, item = entries[0]
        anonymous = _item_schema(item, (key, index, "type"), notes, typed=typed)
        return schema | anonymous  # a single value without a name
    properties: dict[str, Any] = {}
    required = []
    for index, item in entries:
        name = item["name"]
        if name in properties:
            notes.append(Note((key, index), f"{key}: duplicate {name!r}, the later entry wins"))
        properties[name] = _item_schema(item, (key, index, "type"), notes, typed=typed)
        if key == "parameters" and item.get("required") is True and name not in required:
            required.append(name)
    schema |= {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema


def _item_schema(
    item: dict[str, Any], keys: tuple[str | int, ...], notes: list[Note], *, typed: bool = True
) -> dict[str, Any]:
    schema: dict[str, Any] = {}
    description = item.get("description")
    if description is not None:
        schema["description"] = description
    v1_type = item.get("type")
    if v1_type is None:
        return schema
    mapped = schema_for_type(v1_type) if isinstance(v1_type, str) else None
    if mapped is not None and typed:
        return schema | mapped
    if mapped is not None:  # kept as words: not checked, as IBM's service did not
        prefix = f"{description} " if isinstance(description, str) and description else ""
        return schema | {"description": f"{prefix}(v1 type: {v1_type})".strip()}
    text = v1_type if isinstance(v1_type, str) else json.dumps(v1_type)
    prefix = f"{description} " if isinstance(description, str) and description else ""
    schema["description"] = f"{prefix}(v1 type: {text})".strip()
    notes.append(Note(keys, f"type {text!r} has no JSON Schema equivalent: kept in description"))
    return schema


def schema_for_type(text: str) -> dict[str, Any] | None:
    """The JSON Schema for a v1 type label, or None when the label is free text.

    ``"int"`` -> integer; ``"list[float]"``/``"list of floats"`` -> array of numbers;
    ``"int or float"``, ``"Union[int, None]"``, ``"str | None"`` -> a list of types.
    """
    label = text.strip().rstrip(".").lower()
    label = re.sub(r"\b(?:numpy|np|typing|builtins)\.", "", label)
    union = _UNION.match(label)
    if union:
        optional = label.startswith("optional")
        inner = schema_for_type(union.group(1))
        return _add_types(inner, ["null"]) if optional and inner else inner
    if label in TYPE_WORDS:
        return {"type": TYPE_WORDS[label]}
    container = _CONTAINER.match(label)
    if container:
        inner = schema_for_type(container.group(2) or container.group(3))
        if inner is None:
            return None
        return {"type": "array", "items": inner}
    parts = [p for p in _ALTERNATIVES.split(label) if p]
    if len(parts) > 1:
        kinds = [TYPE_WORDS.get(p) for p in parts]
        if all(kinds):
            return {"type": list(dict.fromkeys(kinds))}
    return None


def _add_types(schema: dict[str, Any], extra: list[str]) -> dict[str, Any] | None:
    kinds = schema.get("type")
    if kinds is None or len(schema) != 1:
        return None
    kinds = kinds if isinstance(kinds, list) else [kinds]
    return {"type": list(dict.fromkeys(kinds + extra))}


def _render(doc: MetadataDocument, data: dict[str, Any]) -> str:
    if doc.path.suffix.lower() in YAML_SUFFIXES:
        import yaml

        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    indent = re.search(r"\n([ \t]+)\S", doc.text)
    return json.dumps(data, indent=indent.group(1) if indent else 2, ensure_ascii=False) + "\n"


def _where(doc: MetadataDocument, keys: tuple[str | int, ...]) -> str:
    line, col = doc.position(keys)
    return f"{doc.path}:{line}:{col}"
