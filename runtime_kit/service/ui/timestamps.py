"""Stored times as a page shows them: ``<time>`` elements whose text reads as a date and
time to the second, in UTC (the page's script turns it into the browser's local time), with
the exact stored ISO 8601 time in the title."""

from __future__ import annotations

from datetime import UTC, datetime

from markupsafe import Markup


def when_html(stamp: str | None) -> Markup:
    """``stamp`` (a stored time, ISO 8601 UTC with microseconds) as a ``<time>`` element;
    text that is not such a time is shown as it is."""
    if not stamp:
        return Markup("")
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return Markup("<time>{}</time>").format(stamp)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    machine = moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    readable = moment.strftime("%Y-%m-%d %H:%M:%S UTC")
    return Markup('<time datetime="{}" title="{}">{}</time>').format(machine, stamp, readable)
