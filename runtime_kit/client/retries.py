"""When the client tries a request again: bounded in count and in time, with backoff.

A request that never reached the service (the connection could not be made) is tried again
whatever its method.  One that may have reached it is tried again only when repeating it
cannot do anything twice (GET, HEAD, PUT, DELETE, OPTIONS), after a dropped connection or an
answer saying to come back: 502, 503, 429 (``Retry-After`` honoured, within the bound).
``POST`` (a new job, a new program) is never repeated once it may have been received.
"""

from __future__ import annotations

import email.utils
import random
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
RETRIED_STATUSES = frozenset({429, 502, 503})
#: The request was not sent: safe to repeat, whatever it is.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout)


@dataclass(frozen=True)
class RetryPolicy:
    """``attempts`` tries in all (1: no retry); waits of ``backoff_s``, doubled each time
    (with jitter); never more than ``max_wait_s`` of waiting in all."""

    attempts: int = 4
    backoff_s: float = 0.5
    max_wait_s: float = 30.0

    def __post_init__(self) -> None:
        if self.attempts < 1 or self.backoff_s < 0 or self.max_wait_s < 0:
            raise ValueError(f"invalid retry policy {self!r}")


def retryable_error(method: str, error: httpx.HTTPError) -> bool:
    if tls_failure(error):
        return False  # a certificate or TLS mismatch fails the same way every time
    if isinstance(error, NOT_SENT):
        return True
    return method in IDEMPOTENT and isinstance(error, httpx.TransportError)


def tls_failure(error: BaseException) -> bool:
    """The connection failed in its TLS handshake (an untrusted certificate, a name that
    does not match, no common protocol): not something a second try changes."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, ssl.SSLError) or "CERTIFICATE_VERIFY_FAILED" in str(current):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def retryable_answer(method: str, response: httpx.Response) -> bool:
    return method in IDEMPOTENT and response.status_code in RETRIED_STATUSES


def wait_before(
    attempt: int, policy: RetryPolicy, response: httpx.Response | None, waited_s: float
) -> float | None:
    """Seconds to wait before try ``attempt + 1`` (after ``attempt`` tries, ``waited_s``
    waited so far), or None when the policy says to stop."""
    if attempt >= policy.attempts:
        return None
    asked = retry_after_s(response) if response is not None else None
    backoff = policy.backoff_s * 2 ** (attempt - 1) * random.uniform(0.8, 1.2)
    delay = asked if asked is not None else backoff
    if waited_s + delay > policy.max_wait_s:
        return None
    return delay


def retry_after_s(response: httpx.Response) -> float | None:
    """``Retry-After`` in seconds (a number, or an HTTP date), if the answer gives one."""
    value = response.headers.get("retry-after")
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)
