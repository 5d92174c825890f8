"""The job page's pictures, as geometry for SVG templates: one line chart per numeric field
of the interim results that says something (against their number), and a histogram of
measured counts.

A field is charted when its values vary and it is neither an id nor a counter: ids by name
(``id``, ``uid``, ``seed``, ``job_id``...), counters by name (``iteration``, ``step``,
``nfev``...) when they never decrease, or by shape (integers rising by the same step each
time: a line that only says the results were numbered).
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass, field
from typing import Any

#: Fields charted at most (the first ones that qualify), fields followed at most (the first
#: ones seen), and points drawn per chart at most.
MAX_SERIES = 6
MAX_FOLLOWED = 16
MAX_POINTS = 1200
MAX_BARS = 32
WIDTH, HEIGHT = 640, 120
LEFT, RIGHT, TOP, BOTTOM = 84, 10, 10, 20
#: The charts' frame, for the template that draws them.
FRAME = {"width": WIDTH, "height": HEIGHT, "left": LEFT, "right": WIDTH - RIGHT, "top": TOP,
         "bottom": HEIGHT - BOTTOM}  # fmt: skip
_OUTCOME = re.compile(r"(0x[0-9a-fA-F]+|[01 ]+)")
#: Ids by name: ``id``, ``job_id``, ``run-seed``, ``jobId``...
_ID_NAME = re.compile(r"(?:.*[_\-\s])?(?:id|uid|uuid|guid|seed)", re.IGNORECASE)
_CAMEL_ID_NAME = re.compile(r".*[a-z](?:Id|ID|Uid|UID|Uuid|Seed)")
#: Counters by name (``iteration``, ``n_evals``...), when their values never decrease.
_COUNTER_NAME = re.compile(
    r"(?:.*[_\-\s])?(?:iteration|iter|step|epoch|index|idx|nit|nfev|n_?evals?|evaluations?|"
    r"eval_count|counter|round|trial)s?",
    re.IGNORECASE,
)


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
            if name in self.values or len(self.values) < MAX_FOLLOWED:
                self.values.setdefault(name, []).append((number, number_value))

    def panels(self) -> list[Panel]:
        charted = [
            (name, points) for name, points in self.values.items() if worth_charting(name, points)
        ]
        return [_panel(name, points) for name, points in charted[:MAX_SERIES]]


def worth_charting(name: str, points: list[tuple[int, float]]) -> bool:
    """Whether a field's values say something as a line: they vary, and it is neither an
    id nor a counter."""
    values = [value for _, value in points]
    if len(set(values)) < 2 or _ID_NAME.fullmatch(name) or _CAMEL_ID_NAME.fullmatch(name):
        return False
    return not _is_counter(name, values)


def _is_counter(name: str, values: list[float]) -> bool:
    if not all(value.is_integer() for value in values):
        return False
    steps = {later - earlier for earlier, later in itertools.pairwise(values)}
    if _COUNTER_NAME.fullmatch(name):
        return min(steps) >= 0
    return len(steps) == 1 and min(steps) > 0


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
        counts: dict[str, int] = value
        return counts
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
