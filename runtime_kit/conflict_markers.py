"""Merge conflicts left in a file: ``<<<<<<<`` ... ``=======`` ... ``>>>>>>>`` blocks.

``runtime-kit update`` writes them (``<<<<<<< yours`` / ``>>>>>>> template``) where your
change and the template's touch the same lines; git writes the same kind.  Until they are
resolved the file does not parse, and saying "syntax error" would hide why.
"""

from __future__ import annotations

from typing import NamedTuple

START, MIDDLE, END = "<<<<<<< ", "=======", ">>>>>>> "
#: The label ``runtime-kit update`` gives the project's side of a conflict.
UPDATE_LABEL = "yours"


class Conflict(NamedTuple):
    """One conflict block: its first and last line (1-based), and who left it."""

    first_line: int
    last_line: int
    from_update: bool

    def describe(self) -> str:
        origin = " from `runtime-kit update`" if self.from_update else ""
        return (
            f"unresolved merge conflict{origin} (lines {self.first_line}-{self.last_line}): "
            "keep the lines you want and delete the <<<<<<< ======= >>>>>>> markers"
        )


def conflicts_in(text: str) -> list[Conflict]:
    """Every conflict block in ``text``; one left open runs to the end of the text."""
    found: list[Conflict] = []
    start: int | None = None
    label = ""
    lines = text.splitlines()
    for number, line in enumerate(lines, start=1):
        if line.startswith(START) and start is None:
            start, label = number, line[len(START) :].strip()
        elif line.startswith(END.rstrip()) and start is not None:
            found.append(Conflict(start, number, label == UPDATE_LABEL))
            start = None
    if start is not None:
        found.append(Conflict(start, len(lines), label == UPDATE_LABEL))
    return found
