"""What the job page shows of a job, built from its store row and interim results; the
live stream (``live.py``) renders the same pieces as they change."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from runtime_kit.service.core.store import CANCELLED, COMPLETED, FINAL_STATUSES, RUNNING
from runtime_kit.service.ui.chart import FRAME, Bar, Series, find_counts, histogram
from runtime_kit.service.ui.pages import fragment
from runtime_kit.service.ui.readable import readable_text

#: Interim results listed on the page (newest first); the chart shows all of them.
SHOWN_INTERIM = 50


@dataclass(frozen=True)
class InterimRow:
    number: int
    text: str


@dataclass
class InterimView:
    """Interim results so far: the chart's series, the newest rows, the latest counts."""

    count: int = 0
    series: Series = field(default_factory=Series)
    rows: list[InterimRow] = field(default_factory=list)
    counts: dict[str, int] | None = None

    def add(self, results: list[tuple[int, str]]) -> list[InterimRow]:
        """Take in more interim results (number, wire text); the rows that are new."""
        new_rows = []
        values = [(number, _parsed(text)) for number, text in results]
        for number, value in values:
            self.series.add(number, value)
            self.count = max(self.count, number)
        for _, value in reversed(values):  # the newest counts are the ones shown
            counts = find_counts(value)
            if counts is not None:
                self.counts = counts
                break
        for number, text in results[-SHOWN_INTERIM:]:
            new_rows.append(InterimRow(number, readable_text(text)))
        self.rows = (new_rows[::-1] + self.rows)[:SHOWN_INTERIM]
        return new_rows[::-1]

    def bars(self, result: Any = None) -> list[Bar]:
        counts = find_counts(result) if result is not None else None
        counts = counts or self.counts
        return histogram(counts) if counts else []


def interim_view(results: list[tuple[int, str]]) -> InterimView:
    view = InterimView()
    view.add(results)
    return view


def outcome(row: sqlite3.Row) -> dict[str, Any]:
    """The end of a job, for ``_outcome.html``: its result, or its error, or nothing yet."""
    status = row["status"]
    if status not in FINAL_STATUSES:
        return {"final": False, "status": status, "running": status == RUNNING}
    if status == COMPLETED:
        return {"final": True, "status": status, "result": readable_text(row["result"])}
    detail = row["reason"] if status == CANCELLED else (row["result"] or row["reason"])
    return {"final": True, "status": status, "error": detail or ""}


def result_value(row: sqlite3.Row) -> Any:
    return _parsed(row["result"]) if row["status"] == COMPLETED else None


def charts_html(view: InterimView, result: Any = None) -> str:
    return fragment(
        "_charts.html", panels=view.series.panels(), bars=view.bars(result), frame=FRAME
    )


def rows_html(rows: list[InterimRow]) -> str:
    return fragment("_interim_rows.html", rows=rows)


def outcome_html(row: sqlite3.Row) -> str:
    return fragment("_outcome.html", outcome=outcome(row))


def _parsed(text: str | None) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None
