"""Request bodies, read within limits that hold while they arrive.

A route says how much it takes before a single byte is read: ``SMALL_BODY_BYTES`` (a few KiB)
for the routes whose bodies are small (login, tokens, forms, job control), the service's
``--max-body-mib`` only for those that need it, and only once the caller has been
authenticated and authorised.  A body declared larger (``Content-Length``) is refused before
it is read, one that grows larger is refused as soon as it does (413), and one that stops
arriving for ``stall_s`` seconds is refused with 408: nothing is parsed before it is whole,
and nothing unauthenticated can make the service hold more than a few KiB.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from starlette.requests import Request

from runtime_kit.service.http.api_errors import ApiError

#: The largest body of a route that takes a small one.
SMALL_BODY_BYTES = 16 * 1024
#: Sent with a refusal of a body not read to its end: the connection closes after the
#: answer, rather than reading (and throwing away) the rest of a body of 63 MiB.
CLOSE = {"Connection": "close"}
#: Seconds a body may stop arriving (the service's ``--header-timeout`` when it is served).
STALL_S = 10.0


async def body_chunks(
    request: Request, limit: int, *, stall_s: float = STALL_S
) -> AsyncIterator[bytes]:
    """The chunks of ``request``'s body as they arrive, at most ``limit`` bytes in all.

    Raises:
        ApiError: 413 once the body is (or is declared) over ``limit``; 408 when nothing
            arrives for ``stall_s`` seconds.
    """
    declared = request.headers.get("content-length")
    if declared and declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise ApiError(413, _too_large(limit), headers=CLOSE)
    stream = request.stream().__aiter__()
    loop = asyncio.get_running_loop()
    received = 0
    # One timer, armed only while waiting for the next chunk (asyncio.wait_for would make a
    # task per chunk: thousands a second during large uploads, all on the event loop).
    try:
        async with asyncio.timeout(None) as deadline:
            while True:
                deadline.reschedule(loop.time() + stall_s)
                try:
                    chunk = await anext(stream)
                except StopAsyncIteration:
                    return
                deadline.reschedule(None)
                received += len(chunk)
                if received > limit:
                    raise ApiError(413, _too_large(limit), headers=CLOSE)
                if chunk:
                    yield chunk
    except TimeoutError as exc:
        raise ApiError(
            408,
            f"the request body stopped arriving for {stall_s:g} s",
            "REQUEST_TIMEOUT",
            headers=CLOSE,
        ) from exc


async def read_body(request: Request, limit: int, *, stall_s: float = STALL_S) -> bytes:
    """The whole body of ``request`` (``body_chunks``), at most ``limit`` bytes."""
    body = bytearray()
    async for chunk in body_chunks(request, limit, stall_s=stall_s):
        body += chunk
    return bytes(body)


def _too_large(limit: int) -> str:
    return f"request body over {limit} bytes"
