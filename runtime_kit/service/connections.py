"""Connections to the service, bounded: in number, in the time a request may take to arrive,
and in what they make the service log.

uvicorn holds a connection for as long as its client wants: a client that sends half a
request header and stops keeps a file descriptor forever, and a few hundred of them (a
thousand at systemd's default file limit) leave the service unable to ``accept()``.  Here:

- the soft limit on open files is raised to the hard one at start (``raise_open_files``);
- at most ``max_connections`` are open at once (HTTP and websockets together), well below
  the file limit; one more is answered ``503`` with ``Retry-After`` and closed;
- a request header must arrive within ``header_timeout_s`` of the connection (or of the
  previous response on a kept-alive connection), else ``408`` and the connection closes;
  an idle kept-alive connection closes after ``keep_alive_s`` (uvicorn's own timer);
- refusals and resource errors (``accept()`` out of file descriptors) are logged once per
  ``LOG_INTERVAL_S`` with how many there were, never once per attempt.
"""

from __future__ import annotations

import asyncio
import json
import resource
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

#: File descriptors kept for the service's own use (SQLite, blobs, job pipes, cgroups) when
#: the connection cap is derived from the file limit.
RESERVED_FILES = 256
#: Seconds between two log lines about the same resource problem.
LOG_INTERVAL_S = 10.0
#: Refused connections that may wait (at most ``_REFUSED_LINGER_S``) for their request
#: before being closed, so that their client reads the 503 rather than a reset.
_MAX_LINGERING = 64
_REFUSED_LINGER_S = 0.5


@dataclass(frozen=True)
class ConnectionLimits:
    max_connections: int = 1000
    header_timeout_s: float = 10.0
    keep_alive_s: float = 5.0


def raise_open_files() -> int:
    """Raise this process's soft limit on open files to its hard limit; the limit now."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        target = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 20)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):  # a kernel cap (fs.nr_open) below the hard limit
            pass
    return soft


def connection_cap(asked: int, open_files: int) -> int:
    """``asked``, or less when the file limit leaves less room (never below 16)."""
    return max(16, min(asked, open_files - RESERVED_FILES))


class ThrottledReport:
    """Calls ``report(what, count=N)`` at most once per ``interval_s`` for each ``what``,
    with how many times it happened since the last line (thread-safe)."""

    def __init__(
        self,
        report: Callable[..., None],
        interval_s: float = LOG_INTERVAL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._report = report
        self._interval_s = interval_s
        self._clock = clock
        self._lock = threading.Lock()
        self._last: dict[str, float] = {}
        self._counts: dict[str, int] = {}

    def __call__(self, what: str, **details: Any) -> None:
        with self._lock:
            self._counts[what] = self._counts.get(what, 0) + 1
            at = self._clock()
            last = self._last.get(what)
            if last is not None and at - last < self._interval_s:
                return
            self._last[what] = at
            count = self._counts.pop(what)
        self._report(what, count=count, **details)


def loop_exception_handler(
    report: ThrottledReport,
) -> Callable[[asyncio.AbstractEventLoop, dict[str, Any]], None]:
    """An event loop exception handler: errors of one kind (``accept()`` out of file
    descriptors, say) logged once per interval, with their count."""

    def handle(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exception = context.get("exception")
        what = context.get("message", "event loop error")
        detail = f"{type(exception).__name__}: {exception}" if exception else ""
        report("resource_error" if "resource" in what else "loop_error", message=what, error=detail)

    return handle


def http_protocol() -> type[asyncio.Protocol]:
    """uvicorn's HTTP protocol: on httptools (its parser in C) when installed, else h11 (pure
    Python: every byte of a large upload went through it on the event loop)."""
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
    except ImportError:  # pragma: no cover - httptools is a dependency; h11 is the fallback
        from uvicorn.protocols.http.h11_impl import H11Protocol

        return H11Protocol
    return HttpToolsProtocol


def guarded_protocol(
    limits: ConnectionLimits, report: ThrottledReport, base: Any = None
) -> type[asyncio.Protocol]:
    """uvicorn's HTTP protocol (``base``, default ``http_protocol()``) with ``limits`` on
    connections (see the module)."""
    base = base or http_protocol()

    class GuardedProtocol(base):  # type: ignore[misc]
        lingering = 0  # refused connections still open, for all of this class

        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            self._header_timer: asyncio.TimerHandle | None = None
            self._linger: asyncio.TimerHandle | None = None
            self._refused = len(self.server_state.connections) >= limits.max_connections
            if self._refused:
                self._refuse(transport)
                return
            super().connection_made(transport)
            self._await_header()

        def data_received(self, data: bytes) -> None:
            if self._refused:
                self._close_refused()
                return
            super().data_received(data)
            if self.cycle is not None and not self.cycle.response_complete:
                self._cancel_header_timer()  # a request has begun: its body is the route's

        def connection_lost(self, exc: Exception | None) -> None:
            if self._refused:
                self._close_refused()
                return
            self._cancel_header_timer()
            super().connection_lost(exc)

        def handle_websocket_upgrade(self, *event: Any) -> None:  # h11 passes the request
            self._cancel_header_timer()
            super().handle_websocket_upgrade(*event)

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._await_header()

        # --- helpers ---------------------------------------------------------------------

        def _await_header(self) -> None:
            self._cancel_header_timer()
            self._header_timer = self.loop.call_later(limits.header_timeout_s, self._too_slow)

        def _cancel_header_timer(self) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None

        def _too_slow(self) -> None:
            self._header_timer = None
            if self.transport.is_closing():
                return
            report("slow_request_headers", timeout_s=limits.header_timeout_s)
            message = f"no complete request header within {limits.header_timeout_s:g} s"
            self.transport.write(_raw_error(408, "Request Timeout", message, "REQUEST_TIMEOUT"))
            self.transport.close()

        def _refuse(self, transport: asyncio.BaseTransport) -> None:
            assert isinstance(transport, asyncio.Transport)
            self.transport = transport
            report("connections_refused", max_connections=limits.max_connections)
            message = f"too many connections (at most {limits.max_connections}); try again"
            transport.write(_raw_error(503, "Service Unavailable", message, "TOO_MANY_CONNECTIONS"))
            if GuardedProtocol.lingering >= _MAX_LINGERING:
                transport.close()
                return
            GuardedProtocol.lingering += 1
            self._linger = asyncio.get_running_loop().call_later(
                _REFUSED_LINGER_S, self._close_refused
            )

        def _close_refused(self) -> None:
            if self._linger is not None:
                self._linger.cancel()
                self._linger = None
                GuardedProtocol.lingering -= 1
            if not self.transport.is_closing():
                self.transport.close()

    return GuardedProtocol


def _raw_error(status: int, phrase: str, message: str, code: str) -> bytes:
    """A whole HTTP/1.1 answer in the service's error shape that closes the connection."""
    body = json.dumps({"error": {"message": message, "code": code, "status": status}}).encode()
    retry = "retry-after: 1\r\n" if status == 503 else ""
    head = (
        f"HTTP/1.1 {status} {phrase}\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\n{retry}connection: close\r\n\r\n"
    )
    return head.encode("ascii") + body
