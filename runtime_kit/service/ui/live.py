"""The live parts, as server-sent events: a job page's status, interim results (rows and
the re-drawn chart), logs and end; the jobs list's statuses.

Each stream subscribes to the ``StreamHub`` before it reads the store, so nothing falls
between (as the websocket routes do).  A stream ends when the service stops (``GOING_AWAY``)
and after ``STREAM_LIFETIME_S``; the browser reconnects by itself and sends back the last
event id, ``"<interim number>.<log characters>"``, to resume from.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
import time
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from runtime_kit.service.core.auth import Principal
from runtime_kit.service.core.store import FINAL_STATUSES, RUNNING
from runtime_kit.service.core.streams import (
    GOING_AWAY,
    REVOKED,
    STATUS_TOPIC,
    Message,
    Topic,
    log_topic,
    token_topic,
)
from runtime_kit.service.http.api import Api, ApiError, api_of
from runtime_kit.service.ui.job_view import (
    InterimView,
    charts_html,
    interim_view,
    outcome_html,
    result_value,
    rows_html,
)
from runtime_kit.service.ui.pages import SignedOut, visitor_of

router = APIRouter(prefix="/ui")

STREAM_LIFETIME_S = 300.0
#: Interim results arriving faster than this are sent (and the chart re-drawn) in batches.
REDRAW_INTERVAL_S = 0.25
_RETRY_MS = 1000
_MAX_LISTED_IDS = 100
_HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}


@router.get("/jobs/{job_id}/events")
async def job_events(request: Request, job_id: str, interim: int = 0, logs: int = 0) -> Response:
    """Events ``status``, ``interim`` (``{count, rows, charts}``: HTML), ``log``
    (``{text}``) and ``end`` (``{status, outcome, charts}``) of one job, after interim
    result ``interim`` and log character ``logs``."""
    api = api_of(request)
    try:
        principal = await run_in_threadpool(_principal, request)
        await run_in_threadpool(api.visible_job, principal, job_id)
    except ApiError as exc:
        return PlainTextResponse(exc.message, status_code=exc.status)
    resumed = _resume_point(request.headers.get("last-event-id"))
    since_interim, since_logs = resumed or (max(interim, 0), max(logs, 0))
    stream = _JobStream(api, job_id, since_interim, since_logs, principal.id)
    return StreamingResponse(stream.events(), media_type="text/event-stream", headers=_HEADERS)


@router.get("/jobs-events")
async def jobs_events(request: Request, ids: str = "") -> Response:
    """Events ``status`` (``{id, status}``) of the jobs the visitor may see, as they change;
    first, the current status of each of ``ids`` (comma-separated)."""
    api = api_of(request)
    try:
        principal = await run_in_threadpool(_principal, request)
    except ApiError as exc:
        return PlainTextResponse(exc.message, status_code=exc.status)
    listed = [job_id for job_id in ids.split(",") if job_id][:_MAX_LISTED_IDS]
    return StreamingResponse(
        _status_events(api, principal, listed), media_type="text/event-stream", headers=_HEADERS
    )


class _JobStream:
    def __init__(
        self, api: Api, job_id: str, since_interim: int, since_logs: int, token_id: str
    ) -> None:
        self.api = api
        self.job_id = job_id
        self.token_id = token_id
        self.last_interim = since_interim
        self.logs_sent = since_logs
        self.view = InterimView()
        self.ended = False
        self._next_redraw = 0.0

    async def events(self) -> AsyncIterator[str]:
        topics: list[Topic] = [self.job_id, log_topic(self.job_id), STATUS_TOPIC]
        async with _merged(self.api, topics, self.token_id) as inbox:
            yield f"retry: {_RETRY_MS}\n\n"
            row, results, live = await run_in_threadpool(self._snapshot)
            if row is None:
                yield _event("end", {"status": "DELETED", "outcome": "", "charts": ""})
                return
            yield _event("status", {"status": row["status"]})
            seen = [result for result in results if result[0] <= self.last_interim]
            self.view = await run_in_threadpool(interim_view, seen)
            new = [result for result in results if result[0] > self.last_interim]
            if new:
                yield await run_in_threadpool(self._interim_event, new)
            if row["status"] in FINAL_STATUSES:
                yield await self._end()
                return
            if log := self._log_event(live or "", 0):
                yield log
            async for event in self._follow(inbox):
                yield event

    async def _follow(self, inbox: asyncio.Queue[tuple[Topic, Message]]) -> AsyncIterator[str]:
        deadline = time.monotonic() + STREAM_LIFETIME_S
        while not self.ended and (remaining := deadline - time.monotonic()) > 0:
            try:
                first = await asyncio.wait_for(inbox.get(), timeout=remaining)
            except TimeoutError:
                return
            if first[0] == self.job_id and first[1][0] is not None:
                # interim results faster than the redraw interval gather into one event
                await asyncio.sleep(max(0.0, self._next_redraw - time.monotonic()))
            batch = [first]
            while not inbox.empty():
                batch.append(inbox.get_nowait())
            if any(message in (GOING_AWAY, REVOKED) for _, message in batch):
                return
            for event in await self._handle(batch):
                yield event

    async def _handle(self, batch: list[tuple[Topic, Message]]) -> list[str]:
        events: list[str] = []
        results: list[tuple[int, str]] = []
        for topic, (number, text) in batch:
            if topic == self.job_id and number is None:
                if results:
                    events.append(await run_in_threadpool(self._interim_event, results))
                events.append(await self._end())
                return events
            if (
                topic == self.job_id
                and text is not None
                and number is not None
                and number > self.last_interim
            ):
                results.append((number, text))
            elif topic == STATUS_TOPIC and text == self.job_id:
                row = await run_in_threadpool(self._row, "status")
                if row is not None:
                    events.append(_event("status", {"status": row["status"]}))
            elif topic == log_topic(self.job_id) and number is not None:
                events.append(self._log_event(text or "", number))
        events = [event for event in events if event]
        if results:
            events.append(await run_in_threadpool(self._interim_event, results))
        return events

    def _snapshot(self) -> tuple[sqlite3.Row | None, list[tuple[int, str]], str | None]:
        row = self._row("status")
        results = self.api.store.interim_since(self.job_id, 0)
        live = (
            self.api.scheduler.live_logs(self.job_id) if row and row["status"] == RUNNING else None
        )
        return row, results, live

    def _row(self, columns: str) -> sqlite3.Row | None:
        return self.api.store.query_one(f"SELECT {columns} FROM jobs WHERE id = ?", self.job_id)

    def _interim_event(self, results: list[tuple[int, str]]) -> str:
        rows = self.view.add(results)
        self.last_interim = max(self.last_interim, results[-1][0])
        self._next_redraw = time.monotonic() + REDRAW_INTERVAL_S
        data = {"count": self.view.count, "rows": rows_html(rows), "charts": charts_html(self.view)}
        return _event("interim", data, self._event_id())

    def _log_event(self, text: str, offset: int) -> str:
        """The part of ``text`` (starting at character ``offset``) not sent yet, if any."""
        tail = text[max(self.logs_sent - offset, 0) :]
        if not tail or offset + len(text) <= self.logs_sent:
            return ""
        self.logs_sent = offset + len(text)
        return _event("log", {"text": tail}, self._event_id())

    async def _end(self) -> str:
        self.ended = True
        row = await run_in_threadpool(self._row, "status, result, reason, logs")
        if row is None:
            return _event("end", {"status": "DELETED", "outcome": "", "charts": ""})
        log = self._log_event(row["logs"] or "", 0)
        data = {
            "status": row["status"],
            "outcome": await run_in_threadpool(outcome_html, row),
            "charts": await run_in_threadpool(charts_html, self.view, result_value(row)),
        }
        return log + _event("end", data, self._event_id())

    def _event_id(self) -> str:
        return f"{self.last_interim}.{self.logs_sent}"


async def _status_events(api: Api, principal: Principal, listed: list[str]) -> AsyncIterator[str]:
    async with _merged(api, [STATUS_TOPIC], principal.id) as inbox:
        yield f"retry: {_RETRY_MS}\n\n"
        for job_id in listed:
            status = await run_in_threadpool(_visible_status, api, principal, job_id)
            if status is not None:
                yield _event("status", {"id": job_id, "status": status})
        deadline = time.monotonic() + STREAM_LIFETIME_S
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                _, message = await asyncio.wait_for(inbox.get(), timeout=remaining)
            except TimeoutError:
                return
            if message in (GOING_AWAY, REVOKED):
                return
            changed = message[1] or ""
            status = await run_in_threadpool(_visible_status, api, principal, changed)
            if status is not None:
                yield _event("status", {"id": changed, "status": status})


def _visible_status(api: Api, principal: Principal, job_id: str) -> str | None:
    try:
        status: str = api.visible_job(principal, job_id)["status"]
        return status
    except ApiError:
        return None


@contextlib.asynccontextmanager
async def _merged(
    api: Api, topics: list[Topic], token_id: str
) -> AsyncIterator[asyncio.Queue[tuple[Topic, Message]]]:
    """One queue of (topic, message) from several hub topics, for the block's duration
    (``REVOKED`` once ``token_id`` is revoked)."""
    inbox: asyncio.Queue[tuple[Topic, Message]] = asyncio.Queue()
    queues = [(topic, api.hub.subscribe(topic)) for topic in topics]
    queues.append((token_topic(token_id), api.hub.subscribe(token_topic(token_id))))

    async def forward(topic: Topic, queue: asyncio.Queue[Message]) -> None:
        while True:
            inbox.put_nowait((topic, await queue.get()))

    tasks = [asyncio.create_task(forward(topic, queue)) for topic, queue in queues]
    try:
        yield inbox
    finally:
        for task in tasks:
            task.cancel()
        for topic, queue in queues:
            api.hub.unsubscribe(topic, queue)


def _principal(request: Request) -> Principal:
    try:
        return visitor_of(request).principal
    except SignedOut as exc:
        raise ApiError(401, "signed out: sign in again") from exc


def _resume_point(last_event_id: str | None) -> tuple[int, int] | None:
    parts = (last_event_id or "").split(".")
    if len(parts) != 2 or not all(p.isascii() and p.isdigit() and len(p) <= 19 for p in parts):
        return None
    return int(parts[0]), int(parts[1])


def _event(name: str, data: dict[str, Any], event_id: str | None = None) -> str:
    lines = [f"event: {name}"] + ([f"id: {event_id}"] if event_id else [])
    return "\n".join([*lines, f"data: {json.dumps(data)}", "", ""])
