"""The websocket streams of a job: its interim results (the legacy stream, reference §4.5)
and its logs (runtime-kit's own).

The interim stream carries interim results only, and closes when the job ends: the final
result is no interim result, and is fetched from ``/jobs/{id}/results``, as IBM's service
had it (IBM's tutorials show three callbacks for three iterations, then the result from
``job.result()``; qiskit-ibmq-provider's ``stream_results`` documents its callback as
"invoked for any interim results").  A legacy program that publishes its result with
``final=True`` does not put it on the stream either.

A stream is checked, then subscribed to its job, then accepted: a client that sees its stream
open is told of everything from then on (a cancel answers only once the job's streams have
closed, ``jobs_api.cancel_visible_job``).  A refusal is accepted too, then closed, so every
refusal is a close frame with a code and a reason, never an HTTP 403 at the handshake.  The
close codes (docs/serve.md):

=====  ==================================================================================
1000   the job has ended and everything was sent (a finished job: ACK, then 1000 at once)
1001   the service is shutting down
1008   refused (policy violation), the reason says why: no or an invalid token, no such
       job (or not the caller's), a ``since`` that is not an integer from 0 to 2^62; or
       the token was revoked while the stream was open
1013   the client reads too slowly (try again later): a message waited
       ``Api.ws_send_timeout_s`` for the ones before it to be taken; reconnect with ``since``
=====  ==================================================================================
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from starlette.concurrency import run_in_threadpool

from runtime_kit.service.core.store import FINAL_STATUSES, PROGRAM_JOB
from runtime_kit.service.core.streams import GOING_AWAY, REVOKED, Message, Topic, log_topic
from runtime_kit.service.http.api import Api, ApiError, api_of, shown

NORMAL, SHUTTING_DOWN, REFUSED, TOO_SLOW = 1000, 1001, 1008, 1013
#: The largest ``since`` (a count of messages or characters already received).
MAX_SINCE = 2**62
#: A close frame's reason holds at most 123 bytes of UTF-8 (RFC 6455 §5.5).
_MAX_REASON_BYTES = 123

#: What a stream ends with: a close code and its reason.
Close = tuple[int, str]

router = APIRouter()


class _TooSlow(Exception):
    """The client did not take a message within the send timeout."""


@router.websocket("/stream/jobs/{job_id}")
async def stream_job(websocket: WebSocket, job_id: str) -> None:
    """ACK, then each interim result after number ``since``; close 1000 when the job ends."""
    opened = await _open(websocket, job_id)
    if opened is not None:
        api, since, token_id = opened
        await _serve(
            websocket,
            api,
            job_id,
            token_id,
            lambda queue: _messages(websocket, api, job_id, since, queue),
        )


@router.websocket("/stream/jobs/{job_id}/logs")
async def stream_job_logs(websocket: WebSocket, job_id: str) -> None:
    """The job's logs after character ``since`` as they come (text messages), close 1000
    when the job has ended (runtime-kit's own route; legacy clients poll ``/logs``)."""
    opened = await _open(websocket, job_id)
    if opened is not None:
        api, since, token_id = opened
        await _serve(
            websocket,
            api,
            log_topic(job_id),
            token_id,
            lambda queue: _logs(websocket, api, job_id, since, queue),
        )


async def _open(websocket: WebSocket, job_id: str) -> tuple[Api, int, str] | None:
    """Check the caller, ``since`` and the job: (the api, since, the caller's token id), or
    None once the stream is refused (accepted, then closed 1008 with the reason)."""
    api = api_of(websocket)
    try:
        principal = await run_in_threadpool(api.caller, websocket)
        since = _since(websocket.query_params.get("since", "0"))
        await run_in_threadpool(api.visible_job, principal, job_id, PROGRAM_JOB)
    except ApiError as exc:
        with contextlib.suppress(WebSocketDisconnect):
            await websocket.accept()
            await _close(websocket, (REFUSED, exc.message))
        return None
    return api, since, principal.id


def _since(text: str) -> int:
    if not (text.isascii() and text.isdigit() and len(text) <= 19 and int(text) <= MAX_SINCE):
        raise ApiError(400, f"since must be an integer from 0 to 2^62: {shown(text, 40)}")
    return int(text)


async def _serve(
    websocket: WebSocket,
    api: Api,
    topic: Topic,
    token_id: str,
    stream: Callable[[asyncio.Queue[Message]], Awaitable[Close]],
) -> None:
    """Accept, run ``stream`` on the messages of ``topic``, then close as it says (1008 if
    ``token_id`` is revoked meanwhile).  Subscribed before accepting (and before ``stream``
    reads the store: nothing falls between), unsubscribed after closing."""
    queue = api.hub.subscribe(topic, token_id)
    unsubscribe = functools.partial(api.hub.unsubscribe, topic, queue, token_id)
    try:
        try:
            await websocket.accept()
            close = await stream(queue)
        except _TooSlow:
            unsubscribe()  # its close frame waits behind what it has not read: hold nothing
            close = (TOO_SLOW, f"client too slow: a message waited {api.ws_send_timeout_s:g} s")
        except WebSocketDisconnect:
            return
        await _close(websocket, close)
    finally:  # after the close frame: a cancel answers once its job's streams have it
        unsubscribe()


async def _messages(
    websocket: WebSocket, api: Api, job_id: str, since: int, queue: asyncio.Queue[Message]
) -> Close:
    await _send(websocket, api, "ACK")
    row = await run_in_threadpool(
        api.store.query_one, "SELECT status FROM jobs WHERE id = ?", job_id
    )
    if row is None or row["status"] in FINAL_STATUSES:
        return NORMAL, ""
    last = since
    for number, text in await run_in_threadpool(api.store.interim_since, job_id, since):
        await _send(websocket, api, text)
        last = number
    while True:
        message = await queue.get()
        if message == GOING_AWAY:
            return SHUTTING_DOWN, "the service is shutting down"
        if message == REVOKED:
            return REFUSED, "the token was revoked"
        published, body = message
        if published is None:
            return NORMAL, ""
        if published > last and body is not None:
            await _send(websocket, api, body)
            last = published


async def _logs(
    websocket: WebSocket, api: Api, job_id: str, since: int, queue: asyncio.Queue[Message]
) -> Close:
    sent = since
    row = await run_in_threadpool(
        api.store.query_one, "SELECT status, logs FROM jobs WHERE id = ?", job_id
    )
    live = api.scheduler.live_logs(job_id)
    if row is None or (row["status"] in FINAL_STATUSES and live is None):
        await _send_from(websocket, api, (row["logs"] if row else "") or "", 0, sent)
        return NORMAL, ""
    sent = await _send_from(websocket, api, live or "", 0, sent)
    while True:
        offset, text = await queue.get()
        if (offset, text) == GOING_AWAY:
            return SHUTTING_DOWN, "the service is shutting down"
        if (offset, text) == REVOKED:
            return REFUSED, "the token was revoked"
        if offset is None:
            row = await run_in_threadpool(
                api.store.query_one, "SELECT logs FROM jobs WHERE id = ?", job_id
            )
            await _send_from(websocket, api, (row["logs"] if row else "") or "", 0, sent)
            return NORMAL, ""
        sent = await _send_from(websocket, api, text or "", offset, sent)


async def _send_from(websocket: WebSocket, api: Api, text: str, offset: int, sent: int) -> int:
    """Send the part of ``text`` (starting at character ``offset``) not sent yet."""
    tail = text[max(sent - offset, 0) :]
    if tail and offset + len(text) > sent:
        await _send(websocket, api, tail)
        return offset + len(text)
    return sent


async def _send(websocket: WebSocket, api: Api, text: str) -> None:
    """Send ``text``, or raise ``_TooSlow`` if the client has not taken what was sent before
    within the send timeout (the server then stops writing to it: its buffer is bounded)."""
    try:
        await asyncio.wait_for(websocket.send_text(text), api.ws_send_timeout_s)
    except TimeoutError as exc:
        raise _TooSlow from exc


async def _close(websocket: WebSocket, close: Close) -> None:
    """Close with ``close`` (a slow client gets the frame after the data it has not read)."""
    code, reason = close
    reason = reason.encode()[:_MAX_REASON_BYTES].decode(errors="ignore")
    try:
        await websocket.close(code=code, reason=reason)
    except WebSocketDisconnect:
        return
