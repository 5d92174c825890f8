"""Rates and concurrency per token, checked as requests arrive, before any work is done.

``RequestLimiter`` holds a token bucket per caller (``requests_per_s``, bursts of twice as
many) and counts what each caller has open: HTTP requests (``requests_at_once``) and
websocket streams (``streams_per_token``).  A caller is its token (as sent: a hash of it, so
that the check needs no database), its web view session, or its address when it sends
neither; admin tokens are exempt.  Over a limit the answer is 429 with ``Retry-After`` and
the limit's name; nothing of the request has run.

Expensive routes (``expensive``) hold a second bucket per token (``expensive_per_min``) and
run one at a time per token.  The buckets of callers not seen for a while are forgotten, so
random tokens cannot grow the table without bound.
"""

from __future__ import annotations

import hashlib
import http.cookies
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from runtime_kit.service.core.quotas import Quotas
from runtime_kit.service.core.sessions import SESSION_COOKIE
from runtime_kit.service.http.api_errors import ApiError, error_response

#: Callers remembered at most (each a bucket and two counters).
MAX_CALLERS = 10_000
#: Paths no limit applies to: cheap, and used by probes that send no token.
UNLIMITED = ("/health", "/metrics", "/ui/static/")


class TokenBucket:
    """``rate`` tokens a second, at most ``capacity``; ``take`` one or say when there is
    one."""

    def __init__(self, rate: float, capacity: float, now: float) -> None:
        self.rate = rate
        self.capacity = capacity
        self.tokens = capacity
        self.at = now

    def take(self, now: float) -> float:
        """0 when one was taken, else the seconds until one is there."""
        self.tokens = min(self.capacity, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


def too_many(message: str, retry_after_s: float) -> ApiError:
    seconds = max(1, math.ceil(retry_after_s))
    return ApiError(429, message, "TOO_MANY_REQUESTS", headers={"Retry-After": str(seconds)})


class _Caller:
    def __init__(self, bucket: TokenBucket) -> None:
        self.bucket = bucket
        self.open = {"request": 0, "stream": 0}


class RequestLimiter:
    """Thread-safe; ``clock`` is for tests."""

    def __init__(self, quotas: Quotas, clock: Callable[[], float] = time.monotonic) -> None:
        self.quotas = quotas
        self._clock = clock
        self._lock = threading.Lock()
        self._callers: OrderedDict[str, _Caller] = OrderedDict()
        self._expensive: dict[str, TokenBucket] = {}
        self._expensive_running: set[str] = set()

    # --- every request -------------------------------------------------------------------

    def enter(self, key: str, kind: str) -> None:
        """A request (``kind`` "request") or a stream ("stream") of caller ``key`` begins.

        Raises:
            ApiError: 429 over the rate, or with too many open.
        """
        quotas = self.quotas
        with self._lock:
            caller = self._caller(key)
            wait = caller.bucket.take(self._clock())
            if wait:
                raise too_many(
                    f"rate limit: {quotas.requests_per_s:g} requests per second per token", wait
                )
            most = quotas.requests_at_once if kind == "request" else quotas.streams_per_token
            if caller.open[kind] >= most:
                what = "requests at once" if kind == "request" else "open streams"
                raise too_many(f"rate limit: {most} {what} per token", 1)
            caller.open[kind] += 1

    def leave(self, key: str, kind: str) -> None:
        with self._lock:
            caller = self._callers.get(key)
            if caller is not None:
                caller.open[kind] -= 1

    def _caller(self, key: str) -> _Caller:
        caller = self._callers.get(key)
        if caller is None:
            rate = self.quotas.requests_per_s
            caller = _Caller(TokenBucket(rate, 2 * rate, self._clock()))
            self._callers[key] = caller
            self._forget_some()
        self._callers.move_to_end(key)
        return caller

    def _forget_some(self) -> None:
        """Drop the least recently seen callers with nothing open, beyond ``MAX_CALLERS``."""
        while len(self._callers) > MAX_CALLERS:
            key, oldest = next(iter(self._callers.items()))
            if any(oldest.open.values()):
                self._callers.move_to_end(key)  # busy: keep it (bounded by connections)
                return
            del self._callers[key]

    # --- expensive routes ----------------------------------------------------------------

    @contextmanager
    def expensive(self, token_id: str) -> Iterator[None]:
        """Around the work of an expensive route for ``token_id``.

        Raises:
            ApiError: 429 over ``expensive_per_min``, or while another one of the token's
                runs.
        """
        per_min = self.quotas.expensive_per_min
        with self._lock:
            bucket = self._expensive.get(token_id)
            if bucket is None:
                bucket = TokenBucket(per_min / 60, max(1.0, per_min / 6), self._clock())
                self._expensive[token_id] = bucket
            if token_id in self._expensive_running:
                raise too_many("rate limit: one expensive request at a time per token", 1)
            wait = bucket.take(self._clock())
            if wait:
                raise too_many(
                    f"rate limit: {per_min:g} expensive requests per minute per token", wait
                )
            self._expensive_running.add(token_id)
        try:
            yield
        finally:
            with self._lock:
                self._expensive_running.discard(token_id)


def _has_body(scope: dict[str, Any]) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"transfer-encoding" or (name == b"content-length" and value != b"0"):
            return True
    return False


def caller_key(scope: dict[str, Any]) -> str:
    """Who a request comes from: the sha256 of its token (as ``auth.hash_token``), else of
    its web view session, else its address."""
    token = session = b""
    for name, value in scope.get("headers", ()):
        if name == b"x-access-token":
            token = value
        elif name == b"authorization" and value[:7].lower() == b"bearer ":
            token = token or value[7:].strip()
        elif name == b"cookie" and _SESSION in value:
            session = value
    if token:
        return "token:" + hashlib.sha256(token.strip()).hexdigest()
    if session:
        cookie = http.cookies.SimpleCookie(session.decode("latin-1"))
        if SESSION_COOKIE in cookie:
            return "session:" + hashlib.sha256(cookie[SESSION_COOKIE].value.encode()).hexdigest()
    client = scope.get("client") or ("?", 0)
    return f"client:{client[0]}"


_SESSION = SESSION_COOKIE.encode() + b"="


class RequestRates:
    """ASGI middleware: ``RequestLimiter.enter`` before each request or stream (on the event
    loop, before any thread or database is used), ``leave`` after."""

    def __init__(self, app: Any, limiter: RequestLimiter, exempt: Callable[[str], bool]) -> None:
        self.app = app
        self.limiter = limiter
        self.exempt = exempt

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] not in ("http", "websocket") or scope["path"].startswith(UNLIMITED):
            await self.app(scope, receive, send)
            return
        key = caller_key(scope)
        if self.exempt(key):
            await self.app(scope, receive, send)
            return
        kind = "request" if scope["type"] == "http" else "stream"
        try:
            self.limiter.enter(key, kind)
        except ApiError as refused:
            await _refuse(scope, receive, send, refused)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self.limiter.leave(key, kind)


async def _refuse(scope: Any, receive: Any, send: Any, refused: ApiError) -> None:
    if scope["type"] == "http":
        headers = dict(refused.headers)
        if _has_body(scope):  # not read: close rather than read it to throw it away
            headers["Connection"] = "close"
        response = error_response(
            refused.status, refused.message, refused.code, refused.details, headers
        )
        await response(scope, receive, send)
        return
    # a websocket: accepted, then closed 1013 (try again later) saying why
    await receive()  # websocket.connect
    await send({"type": "websocket.accept"})
    await send({"type": "websocket.close", "code": 1013, "reason": refused.message[:120]})
