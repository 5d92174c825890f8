"""A metadata file as text plus parsed data, able to say where any part of it stands."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NamedTuple

from runtime_kit.errors import MetadataSyntaxError

JSON_SUFFIXES = (".json",)
YAML_SUFFIXES = (".yaml", ".yml")
_WHITESPACE = " \t\n\r"


class MetadataDocument(NamedTuple):
    """Parsed metadata; ``position(path)`` finds the 1-based line/col of a key or item."""

    path: Path
    text: str
    data: Any
    #: The composed YAML node tree (its marks are positions); None for JSON.
    yaml_root: Any = None

    def position(self, keys: tuple[str | int, ...]) -> tuple[int, int]:
        """Where the value at ``keys`` starts (its key, for object members); (1, 1) if unknown."""
        if self.yaml_root is not None:
            return _yaml_position(self.yaml_root, keys)
        return _json_position(self.text, keys)


def read_text(path: Path) -> str:
    """Read a UTF-8 text file; raises ``MetadataSyntaxError`` for binary or undecodable files."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise MetadataSyntaxError(f"cannot read file ({exc.strerror})", path=str(path)) from exc
    if b"\x00" in raw[:8192]:
        raise MetadataSyntaxError("binary file, expected text", path=str(path))
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MetadataSyntaxError(f"not UTF-8 text (byte {exc.start})", path=str(path)) from exc


def load_document(path: Path) -> MetadataDocument:
    """Load a JSON or YAML metadata file.

    Raises:
        MetadataSyntaxError: unreadable, binary, or not valid JSON/YAML (with line/col).
    """
    text = read_text(path)
    if path.suffix.lower() in YAML_SUFFIXES:
        return _load_yaml(path, text)
    try:
        return MetadataDocument(path, text, json.loads(text))
    except json.JSONDecodeError as exc:
        raise MetadataSyntaxError(
            f"invalid JSON: {exc.msg}", path=str(path), line=exc.lineno, col=exc.colno
        ) from exc
    except RecursionError as exc:
        raise MetadataSyntaxError("JSON nested too deeply", path=str(path)) from exc


def _load_yaml(path: Path, text: str) -> MetadataDocument:
    import yaml

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise MetadataSyntaxError(
            f"invalid YAML: {exc.problem or exc.context}", path=str(path), line=line, col=col
        ) from exc
    except yaml.YAMLError as exc:
        raise MetadataSyntaxError(f"invalid YAML: {exc}", path=str(path)) from exc
    return MetadataDocument(path, text, data, yaml_root=root)


def _yaml_position(node: Any, keys: tuple[str | int, ...]) -> tuple[int, int]:
    import yaml

    mark = node.start_mark
    for key in keys:
        if isinstance(node, yaml.MappingNode):
            match = next((pair for pair in node.value if pair[0].value == key), None)
            if match is None:
                break
            mark, node = match[0].start_mark, match[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
            mark = node.start_mark
        else:
            break
    return mark.line + 1, mark.column + 1


def _json_position(text: str, keys: tuple[str | int, ...]) -> tuple[int, int]:
    """Walk valid JSON text along ``keys``, skipping siblings with the C scanner."""
    decoder = json.JSONDecoder()
    pos = _skip_ws(text, 0)
    found = pos
    for key in keys:
        if pos >= len(text) or text[pos] not in "{[":
            break
        opening = text[pos]
        pos = _skip_ws(text, pos + 1)
        index = 0
        located = False
        while pos < len(text) and text[pos] not in "]}":
            member_start = pos
            if opening == "{":
                name, pos = json.decoder.scanstring(text, pos + 1)  # type: ignore[attr-defined]
                pos = _skip_ws(text, _skip_ws(text, pos) + 1)  # past ':'
                hit = name == key
            else:
                hit = index == key
            if hit:
                found, located = member_start, True
                break
            _, pos = decoder.raw_decode(text, pos)
            pos = _skip_ws(text, pos)
            if pos < len(text) and text[pos] == ",":
                pos = _skip_ws(text, pos + 1)
            index += 1
        if not located:
            break
        if opening == "[":
            pos = found
    return _line_col(text, found)


def _skip_ws(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _WHITESPACE:
        pos += 1
    return pos


def _line_col(text: str, pos: int) -> tuple[int, int]:
    line = text.count("\n", 0, pos) + 1
    return line, pos - (text.rfind("\n", 0, pos) + 1) + 1
