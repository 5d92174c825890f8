"""The job page's pictures, as geometry for SVG templates: one line chart per numeric field
of the interim results (against their number), and a histogram of measured counts."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

#: Fields charted at most (the first ones seen), and points drawn per chart at most.
MAX_SERIES = 6
MAX_POINTS = 1200
MAX_BARS = 32
WIDTH, HEIGHT = 640, 130
LEFT, RIGHT, TOP, BOTTOM = 70, 10, 22, 20
#: The charts' frame, for the template that draws them.
FRAME = {"width": WIDTH, "height": HEIGHT, "left": LEFT, "right": WIDTH - RIGHT, "top": TOP,
         "bottom": HEIGHT - BOTTOM}  # fmt: skip
_OUTCOME = re.compile(r"(0x[0-9a-fA-F]+|[01 ]+)")


@dataclass(frozen=True)
class Panel:
    """One field's chart: its SVG polyline and the labels of its axes."""

    name: str
    points: str
    x_first: int
    x_last: int
    y_low: str
    y_high: str
    latest: str
    count: int


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    width: float
    y: float


@dataclass
class Series:
    """The numeric fields of interim results, accumulated in arrival order."""

    values: dict[str, list[tuple[int, float]]] = field(default_factory=dict)

    def add(self, number: int, value: Any) -> None:
        for name, number_value in numeric_fields(value).items():
            if name in self.values or len(self.values) < MAX_SERIES:
                self.values.setdefault(name, []).append((number, number_value))

    def panels(self) -> list[Panel]:
        return [_panel(name, points) for name, points in self.values.items() if points]


def numeric_fields(value: Any) -> dict[str, float]:
    """The finite numbers of an interim result: itself, or its object's top-level fields."""
    if _is_number(value):
        return {"value": float(value)}
    if isinstance(value, dict):
        return {str(key): float(item) for key, item in value.items() if _is_number(item)}
    return {}


def find_counts(value: Any, depth: int = 0) -> dict[str, int] | None:
    """The first measured histogram in ``value`` (an object of outcomes -> counts), looking
    two levels deep, or None."""
    if _looks_like_counts(value):
        return value
    if depth >= 2:
        return None
    children = value.values() if isinstance(value, dict) else value
    if isinstance(value, dict | list):
        for child in children:
            found = find_counts(child, depth + 1)
            if found is not None:
                return found
    return None


def histogram(counts: dict[str, int]) -> list[Bar]:
    """Bars of the ``MAX_BARS`` largest counts, in outcome order, widths relative to the
    largest."""
    largest = sorted(counts.items(), key=lambda item: -item[1])[:MAX_BARS]
    top = max((count for _, count in largest), default=0) or 1
    return [
        Bar(label, count, round(count / top * (WIDTH - 190), 1), index * 18 + 4)
        for index, (label, count) in enumerate(sorted(largest))
    ]


def _panel(name: str, points: list[tuple[int, float]]) -> Panel:
    shown = points if len(points) <= MAX_POINTS else _thin(points)
    xs = [x for x, _ in points]
    ys = [y for _, y in points]
    x_low, x_high = min(xs), max(xs)
    y_low, y_high = min(ys), max(ys)
    x_span = (x_high - x_low) or 1
    y_span = (y_high - y_low) or 1
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    coordinates = " ".join(
        f"{LEFT + (x - x_low) / x_span * inner_w:.1f},"
        f"{TOP + inner_h - (y - y_low) / y_span * inner_h:.1f}"
        for x, y in shown
    )
    return Panel(
        name=name,
        points=coordinates,
        x_first=x_low,
        x_last=x_high,
        y_low=_label(y_low),
        y_high=_label(y_high),
        latest=_label(points[-1][1]),
        count=len(points),
    )


def _thin(points: list[tuple[int, float]]) -> list[tuple[int, float]]:
    step = math.ceil(len(points) / MAX_POINTS)
    return points[::step] + ([points[-1]] if (len(points) - 1) % step else [])


def _label(number: float) -> str:
    return f"{number:.4g}"


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _looks_like_counts(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and bool(value)
        and all(
            isinstance(key, str)
            and _OUTCOME.fullmatch(key)
            and isinstance(count, int)
            and not isinstance(count, bool)
            and count >= 0
            for key, count in value.items()
        )
    )
