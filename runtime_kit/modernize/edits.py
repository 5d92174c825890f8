"""Edits of Python source located by ``ast`` nodes: everything outside them stays byte for byte.

``ast`` columns are UTF-8 byte offsets, so edits work on the encoded source.  An edit may
contain earlier ones (a call whose argument was renamed): ``text_of`` returns a node's text
with the edits inside it applied, and takes them over, so that each byte is edited once.
"""

from __future__ import annotations

import ast
import itertools
from dataclasses import dataclass


@dataclass(frozen=True)
class Edit:
    start: int
    end: int
    text: str


class SourceEdits:
    """Replacements to make in ``source``; ``apply()`` returns the edited source."""

    def __init__(self, source: str) -> None:
        self.data = source.encode()
        self.line_starts = [0]
        for line in self.data.splitlines(keepends=True):
            self.line_starts.append(self.line_starts[-1] + len(line))
        self.edits: list[Edit] = []

    def offset(self, line: int, col: int) -> int:
        return self.line_starts[line - 1] + col

    def span(self, node: ast.AST) -> tuple[int, int]:
        start = self.offset(node.lineno, node.col_offset)  # type: ignore[attr-defined]
        end = self.offset(node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]
        return start, end

    def original(self, start: int, end: int) -> str:
        return self.data[start:end].decode()

    def replace(self, node: ast.AST, text: str) -> None:
        """Replace ``node``'s text; edits already made inside it are dropped (see text_of)."""
        start, end = self.span(node)
        self.replace_span(start, end, text)

    def replace_span(self, start: int, end: int, text: str) -> None:
        self.edits = [e for e in self.edits if not (start <= e.start and e.end <= end)]
        self.edits.append(Edit(start, end, text))

    def text_of(self, node: ast.AST) -> str:
        """``node``'s source text with the edits inside it applied."""
        start, end = self.span(node)
        inner = sorted((e for e in self.edits if start <= e.start and e.end <= end), key=_key)
        pieces, position = [], start
        for edit in inner:
            pieces += [self.original(position, edit.start), edit.text]
            position = edit.end
        pieces.append(self.original(position, end))
        return "".join(pieces)

    def indentation(self, node: ast.stmt) -> str:
        """The whitespace the line of ``node`` starts with."""
        start = self.line_starts[node.lineno - 1]
        line = self.data[start : self.line_starts[node.lineno]].decode()
        return line[: len(line) - len(line.lstrip(" \t"))]

    def starts_its_line(self, node: ast.stmt) -> bool:
        return len(self.indentation(node).encode()) == node.col_offset

    def apply(self) -> str:
        ordered = sorted(self.edits, key=_key)
        for before, after in itertools.pairwise(ordered):
            if after.start < before.end:
                raise ValueError(f"overlapping edits at bytes {after.start}-{before.end}")
        pieces, position = [], 0
        for edit in ordered:
            pieces += [self.data[position : edit.start], edit.text.encode()]
            position = edit.end
        pieces.append(self.data[position:])
        return b"".join(pieces).decode()


def _key(edit: Edit) -> tuple[int, int]:
    return edit.start, edit.end
