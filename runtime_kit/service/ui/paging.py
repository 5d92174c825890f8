"""Page numbers of a list: which rows a page shows, and the neighbours to link to."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Paging:
    """Page ``number`` (from 1, clamped to the pages there are) of ``total`` rows."""

    number: int
    size: int
    total: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "number", min(max(self.number, 1), self.pages))

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < self.pages else None
