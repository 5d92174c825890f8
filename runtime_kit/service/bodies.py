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

from runtime_kit.service.api_errors import ApiError

#: The largest body of a route that takes a small one.
SMALL_BODY_BYTES = 16 * 1024
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
        raise ApiError(413, _too_large(limit))
    stream = request.stream().__aiter__()
    received = 0
    while True:
        try:
            chunk = await asyncio.wait_for(anext(stream), stall_s)
        except StopAsyncIteration:
            return
        except TimeoutError as exc:
            raise ApiError(
                408, f"the request body stopped arriving for {stall_s:g} s", "REQUEST_TIMEOUT"
            ) from exc
        received += len(chunk)
        if received > limit:
            raise ApiError(413, _too_large(limit))
        if chunk:
            yield chunk


async def read_body(request: Request, limit: int, *, stall_s: float = STALL_S) -> bytes:
    """The whole body of ``request`` (``body_chunks``), at most ``limit`` bytes."""
    body = bytearray()
    async for chunk in body_chunks(request, limit, stall_s=stall_s):
        body += chunk
    return bytes(body)


def _too_large(limit: int) -> str:
    return f"request body over {limit} bytes"
