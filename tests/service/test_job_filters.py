"""The provider's LoopBack job filters into SQL (``service/job_filters.py``), run on SQLite."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import pytest

from runtime_kit.service.http.job_filters import FilterError, read_filter

JOBS = [
    # id, backend, name, created, status, tags
    ("j1", "ibmq_qasm_simulator", "alpha", "2026-01-01T00:00:00.000000Z", "COMPLETED", ["a"]),
    ("j2", "noisy-5", "beta", "2026-01-02T00:00:00.000000Z", "FAILED", ["a", "b"]),
    ("j3", "noisy-5", "alphabet", "2026-01-03T00:00:00.000000Z", "RUNNING", []),
    ("j4", "aer_simulator", None, "2026-01-04T00:00:00.000000Z", "CANCELLED - RAN TOO LONG", None),
]


def matching(query: dict[str, Any] | None) -> list[str]:
    page = read_filter(None if query is None else json.dumps(query))
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE jobs (id, backend, name, created, status, tags, seq)")
    for seq, (job_id, backend, name, created, status, tags) in enumerate(JOBS):
        tagged = None if tags is None else json.dumps(tags)
        row = (job_id, backend, name, created, status, tagged, seq)
        db.execute("INSERT INTO jobs VALUES (?, ?, ?, ?, ?, ?, ?)", row)
    order = "DESC" if page.descending else "ASC"
    rows = db.execute(
        f"SELECT id FROM jobs WHERE {page.where} ORDER BY seq {order} LIMIT ? OFFSET ?",
        (*page.args, page.limit, page.skip),
    )
    return [row[0] for row in rows]


@pytest.mark.parametrize(
    ("where", "ids"),
    [
        ({}, ["j4", "j3", "j2", "j1"]),
        ({"backend.name": "noisy-5"}, ["j3", "j2"]),
        ({"status": {"regexp": "^ERROR"}}, ["j4", "j2"]),
        ({"status": "COMPLETED"}, ["j1"]),
        ({"status": {"inq": ["RUNNING", "QUEUED"]}}, ["j3"]),
        ({"name": {"regexp": "alpha"}}, ["j3", "j1"]),
        ({"name": {"regexp": "^alpha$"}}, ["j1"]),
        ({"name": {"regexp": "bet$"}}, ["j3"]),
        ({"tags": {"inq": ["b"]}}, ["j2"]),
        ({"and": [{"tags": "a"}, {"tags": "b"}]}, ["j2"]),
        ({"or": [{"status": "RUNNING"}, {"id": "j1"}]}, ["j3", "j1"]),
        ({"id": {"nin": ["j1", "j2"]}}, ["j4", "j3"]),
        ({"creationDate": {"lte": "2026-01-02T00:00:00Z"}}, ["j2", "j1"]),
        ({"creationDate": {"gt": "2026-01-02T01:00:00+01:00"}}, ["j4", "j3"]),
        (
            {"creationDate": {"between": ["2026-01-02T00:00:00Z", "2026-01-03T00:00:00Z"]}},
            ["j3", "j2"],
        ),
    ],
)
def test_the_filters_the_provider_sends(where: dict[str, Any], ids: list[str]) -> None:
    assert matching({"order": "creationDate DESC", "limit": 10, "skip": 0, "where": where}) == ids


def test_paging_and_order() -> None:
    assert matching(None) == ["j4", "j3", "j2", "j1"]
    assert matching({"limit": 2, "skip": 1}) == ["j3", "j2"]
    assert matching({"order": "creationDate ASC", "limit": 1}) == ["j1"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("[", "filter: not JSON"),
        ([1], "filter: must be a JSON object"),
        ({"sort": 1}, "filter: unknown keys ['sort']"),
        ({"order": "name"}, "filter.order"),
        ({"limit": -1}, "filter.limit: an integer from 0 to 1000"),
        ({"limit": True}, "filter.limit"),
        ({"where": {"owner": "x"}}, "filter.where: cannot filter on 'owner'"),
        ({"where": {"name": {"like": "x"}}}, "filter.where.name.like: unknown operator"),
        ({"where": {"name": {"regexp": "a.*b"}}}, "only literal text with ^ and $ anchors"),
        ({"where": {"name": {"regexp": "(a+)+$"}}}, "only literal text with ^ and $ anchors"),
        ({"where": {"name": 3}}, "filter.where.name: a string"),
        ({"where": {"creationDate": {"gt": "yesterday"}}}, "not an ISO 8601 date"),
        ({"where": {"creationDate": {"gt": "2026-01-01T00:00:00"}}}, "a date with its time zone"),
        ({"where": {"and": []}}, "a non-empty list of conditions"),
        ({"where": {"tags": {"nin": ["a"]}}}, 'a tag, or {"inq": [tags]}'),
        ({"where": {"id": {"inq": ["x"] * 1001}}}, "a list of at most 1000 values"),
        ({"where": {"id": {"gt": "a", "lt": "b"}}}, "one operator per field"),
        ({"where": {"id": {"between": ["a"]}}}, "a list of two values"),
    ],
)
def test_bad_filters_are_refused_saying_where(query: Any, message: str) -> None:
    text = query if isinstance(query, str) else json.dumps(query)
    with pytest.raises(FilterError) as refused:
        read_filter(text)
    assert message in str(refused.value)


def test_deep_or_wide_filters_are_refused() -> None:
    deep: dict[str, Any] = {"id": "x"}
    for _ in range(10):
        deep = {"and": [deep]}
    with pytest.raises(FilterError, match="nested deeper than 8"):
        read_filter(json.dumps({"where": deep}))
    wide = {"or": [{"id": str(n)} for n in range(100)]}
    with pytest.raises(FilterError, match="more than 64 conditions"):
        read_filter(json.dumps({"where": wide}))
