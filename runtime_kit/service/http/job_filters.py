"""The ``filter`` query of qiskit-ibmq-provider's job listing (``backend.jobs()``,
``provider.backend.jobs()``: ``GET .../Jobs/status/v/1?filter=...``), a LoopBack filter, read
into SQL on the ``jobs`` table.

The provider sends ``{"order": "creationDate DESC", "limit", "skip", "where": {...}}``; its
``where`` names ``backend.name``, ``status``, ``name``, ``tags``, ``creationDate``, ``id``, and
combines them with ``and``/``or``.  Each field takes a value (equal) or one operator:
``inq``, ``nin``, ``neq``, ``gt``, ``gte``, ``lt``, ``lte``, ``between``, ``regexp``.  A
``regexp`` may be literal text with ``^`` and ``$`` anchors (what the provider sends:
``^ERROR`` for failed jobs, a job's name): no pattern with other metacharacters reaches
SQLite or ``re``.  Everything else is refused (``FilterError``), naming where.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any, NamedTuple

from runtime_kit.service.core.store import now

#: A filter's ``where`` nests at most this deep, with at most this many conditions, and
#: lists of at most this many values.
MAX_DEPTH, MAX_CONDITIONS, MAX_VALUES = 8, 64, 1000
#: The most jobs one page lists.
MAX_LIMIT = 1000
#: A status as the provider's job API names it (``ApiJobStatus``), from the stored one.
API_STATUS_SQL = (
    "CASE status WHEN 'FAILED' THEN 'ERROR_RUNNING_JOB' "
    "WHEN 'CANCELLED - RAN TOO LONG' THEN 'ERROR_RUNNING_JOB' ELSE status END"
)
#: field -> SQL expression on ``jobs``
FIELDS = {
    "id": "id",
    "backend.name": "backend",
    "name": "name",
    "creationDate": "created",
    "status": API_STATUS_SQL,
}
_COMPARISONS = {"neq": "!=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
_METACHARACTERS = re.compile(r"[.^$*+?()\[\]{}|\\]")


class FilterError(ValueError):
    """A filter this service cannot read; the message says where."""


class Page(NamedTuple):
    where: str  # SQL condition on jobs
    args: list[Any]
    limit: int
    skip: int
    descending: bool


def read_filter(text: str | None) -> Page:
    """The page a ``filter`` query asks for (all of it optional).

    Raises:
        FilterError: not JSON, or a field, operator or value this service does not read.
    """
    if text is None:
        return Page("1", [], 10, 0, True)
    try:
        query = json.loads(text)
    except ValueError as exc:
        raise FilterError(f"filter: not JSON ({exc})") from exc
    if not isinstance(query, dict):
        raise FilterError("filter: must be a JSON object")
    unknown = set(query) - {"order", "limit", "skip", "where", "fields"}
    if unknown:
        raise FilterError(f"filter: unknown keys {sorted(unknown)}")
    order = query.get("order", "creationDate DESC")
    if order not in ("creationDate DESC", "creationDate ASC"):
        raise FilterError(
            f"filter.order: 'creationDate DESC' or 'creationDate ASC', not {order!r:.40}"
        )
    limit = _bounded(query.get("limit", 10), "filter.limit", 0, MAX_LIMIT)
    skip = _bounded(query.get("skip", 0), "filter.skip", 0, 2**62)
    where = query.get("where", {})
    counter = [0]
    sql, args = _where(where, "filter.where", 0, counter)
    return Page(sql, args, limit, skip, order.endswith("DESC"))


def _where(where: Any, path: str, depth: int, counter: list[int]) -> tuple[str, list[Any]]:
    if not isinstance(where, dict):
        raise FilterError(f"{path}: must be an object")
    if depth > MAX_DEPTH:
        raise FilterError(f"{path}: nested deeper than {MAX_DEPTH}")
    clauses: list[str] = []
    args: list[Any] = []
    for key, value in where.items():
        counter[0] += 1
        if counter[0] > MAX_CONDITIONS:
            raise FilterError(f"{path}: more than {MAX_CONDITIONS} conditions")
        if key in ("and", "or"):
            if not isinstance(value, list) or not value:
                raise FilterError(f"{path}.{key}: a non-empty list of conditions")
            parts = [
                _where(item, f"{path}.{key}[{number}]", depth + 1, counter)
                for number, item in enumerate(value)
            ]
            joiner = " AND " if key == "and" else " OR "
            clauses.append("(" + joiner.join(f"({sql})" for sql, _ in parts) + ")")
            args.extend(arg for _, part_args in parts for arg in part_args)
        elif key == "tags":
            sql, tag_args = _tags(value, f"{path}.tags")
            clauses.append(sql)
            args.extend(tag_args)
        elif key in FIELDS:
            sql, field_args = _field(FIELDS[key], key, value, f"{path}.{key}")
            clauses.append(sql)
            args.extend(field_args)
        else:
            raise FilterError(
                f"{path}: cannot filter on {key!r:.40} (fields: {', '.join([*FIELDS, 'tags'])})"
            )
    return (" AND ".join(clauses) or "1"), args


def _field(column: str, key: str, value: Any, path: str) -> tuple[str, list[Any]]:
    if not isinstance(value, dict):
        return f"{column} = ?", [_scalar(key, value, path)]
    if len(value) != 1:
        raise FilterError(f"{path}: one operator per field")
    ((operator, operand),) = value.items()
    where = f"{path}.{operator}"
    if operator in ("inq", "nin"):
        values = [_scalar(key, item, where) for item in _values(operand, where)]
        marks = ", ".join("?" for _ in values)
        return f"{column} {'IN' if operator == 'inq' else 'NOT IN'} ({marks})", values
    if operator in _COMPARISONS:
        return f"{column} {_COMPARISONS[operator]} ?", [_scalar(key, operand, where)]
    if operator == "between":
        if not isinstance(operand, list) or len(operand) != 2:
            raise FilterError(f"{where}: a list of two values")
        return f"{column} BETWEEN ? AND ?", [_scalar(key, item, where) for item in operand]
    if operator == "regexp":
        return _literal_pattern(column, operand, where)
    raise FilterError(
        f"{where}: unknown operator (inq, nin, neq, gt, gte, lt, lte, between, regexp)"
    )


def _tags(value: Any, path: str) -> tuple[str, list[Any]]:
    """A job has a tag: ``"t"``, or one of ``{"inq": [...]}``."""
    each = "EXISTS (SELECT 1 FROM json_each(COALESCE(jobs.tags, '[]')) WHERE value {})"
    if isinstance(value, str):
        return each.format("= ?"), [value]
    if isinstance(value, dict) and set(value) == {"inq"}:
        tags = _values(value["inq"], f"{path}.inq")
        if not all(isinstance(tag, str) for tag in tags):
            raise FilterError(f"{path}.inq: tags are strings")
        return each.format(f"IN ({', '.join('?' for _ in tags)})"), tags
    raise FilterError(f'{path}: a tag, or {{"inq": [tags]}}')


def _literal_pattern(column: str, pattern: Any, where: str) -> tuple[str, list[Any]]:
    if not isinstance(pattern, str) or len(pattern) > 256:
        raise FilterError(f"{where}: a pattern of at most 256 characters")
    text = pattern.removeprefix("^")
    starts = text != pattern
    ends = text.endswith("$") and not text.endswith("\\$")
    text = text.removesuffix("$") if ends else text
    if _METACHARACTERS.search(text):
        raise FilterError(
            f"{where}: only literal text with ^ and $ anchors is supported, not {pattern!r:.60}"
        )
    if starts and ends:
        return f"{column} = ?", [text]
    if not text:
        return f"{column} IS NOT NULL", []
    if starts:
        return f"substr({column}, 1, ?) = ?", [len(text), text]
    if ends:
        return f"substr({column}, ?) = ?", [-len(text), text]
    return f"instr({column}, ?) > 0", [text]


def _scalar(key: str, value: Any, where: str) -> Any:
    if key == "creationDate":
        return _date(value, where)
    if not isinstance(value, str):
        raise FilterError(f"{where}: a string, not {value!r:.40}")
    return value


def _date(value: Any, where: str) -> str:
    """A date as the store writes times (so that text order is time order)."""
    if not isinstance(value, str):
        raise FilterError(f"{where}: an ISO 8601 date, not {value!r:.40}")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise FilterError(f"{where}: not an ISO 8601 date: {value!r:.40}") from exc
    if moment.tzinfo is None:
        raise FilterError(f"{where}: a date with its time zone: {value!r:.40}")
    return now(moment.astimezone(UTC))


def _values(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list) or len(value) > MAX_VALUES:
        raise FilterError(f"{where}: a list of at most {MAX_VALUES} values")
    return value


def _bounded(value: Any, where: str, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise FilterError(f"{where}: an integer from {low} to {high}, not {value!r:.40}")
    return value
