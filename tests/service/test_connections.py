"""The pieces that bound connections (a real service under attack is in
``test_hostile_service.py``)."""

from __future__ import annotations

import asyncio
import contextlib
import resource
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from runtime_kit.service.connections import (
    RESERVED_FILES,
    ConnectionLimits,
    ThrottledReport,
    connection_cap,
    guarded_protocol,
    loop_exception_handler,
    raise_open_files,
)
from tests.service.real_server import free_port


def test_the_cap_leaves_room_for_the_service_own_files() -> None:
    assert connection_cap(1000, 1 << 20) == 1000
    assert connection_cap(1000, 1024) == 1024 - RESERVED_FILES
    assert connection_cap(1000, 100) == 16


def test_the_soft_open_files_limit_is_raised_to_the_hard_one() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(512, hard), hard))
        raised = raise_open_files()
        assert raised == resource.getrlimit(resource.RLIMIT_NOFILE)[0]
        assert hard in (raised, resource.RLIM_INFINITY)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_a_report_is_made_once_per_interval_with_the_count() -> None:
    lines: list[tuple[str, dict[str, object]]] = []
    clock = [0.0]
    report = ThrottledReport(
        lambda what, **details: lines.append((what, details)), 10, lambda: clock[0]
    )
    for _ in range(1000):
        report("connections_refused", max_connections=5)
    report("slow_request_headers")
    clock[0] = 11
    report("connections_refused", max_connections=5)
    assert lines == [
        ("connections_refused", {"count": 1, "max_connections": 5}),
        ("slow_request_headers", {"count": 1}),
        ("connections_refused", {"count": 1000, "max_connections": 5}),
    ]


def test_accept_errors_of_the_event_loop_are_throttled() -> None:
    lines: list[tuple[str, dict[str, object]]] = []
    handler = loop_exception_handler(
        ThrottledReport(lambda what, **details: lines.append((what, details)))
    )
    loop = asyncio.new_event_loop()
    try:
        for _ in range(100):
            handler(
                loop,
                {
                    "message": "socket.accept() out of system resource",
                    "exception": OSError(24, "Too many open files"),
                },
            )
    finally:
        loop.close()
    assert lines == [
        (
            "resource_error",
            {
                "count": 1,
                "message": "socket.accept() out of system resource",
                "error": "OSError: [Errno 24] Too many open files",
            },
        )
    ]


@pytest.fixture(params=["h11", "httptools"])
def guarded_server(request: pytest.FixtureRequest) -> Iterator[tuple[int, list[str]]]:
    """uvicorn in a thread, guarded (2 connections at most, headers within 1 s), on h11 and
    on httptools; its port and what it reported."""
    import uvicorn
    from uvicorn.protocols.http.h11_impl import H11Protocol
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    reported: list[str] = []
    base = H11Protocol if request.param == "h11" else HttpToolsProtocol
    limits = ConnectionLimits(max_connections=2, header_timeout_s=1, keep_alive_s=5)
    protocol = guarded_protocol(
        limits, ThrottledReport(lambda what, **_: reported.append(what)), base
    )
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, http=protocol, log_level="error",
                       lifespan="off")
    )  # fmt: skip
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield port, reported
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def _until_closed(sock: socket.socket) -> bytes:
    sock.settimeout(10)
    received = b""
    with contextlib.suppress(TimeoutError, ConnectionResetError):
        while chunk := sock.recv(65536):
            received += chunk
    return received


def test_both_parsers_time_out_half_sent_headers_and_refuse_extra_connections(
    guarded_server: tuple[int, list[str]],
) -> None:
    port, reported = guarded_server
    address = ("127.0.0.1", port)
    with socket.create_connection(address) as first, socket.create_connection(address) as second:
        first.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        second.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        second.settimeout(10)
        assert second.recv(65536).startswith(b"HTTP/1.1 200")
        with socket.create_connection(address) as third:
            third.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            assert _until_closed(third).startswith(b"HTTP/1.1 503 Service Unavailable")
        started = time.monotonic()
        assert _until_closed(first).startswith(b"HTTP/1.1 408 Request Timeout")
        assert time.monotonic() - started < 5
        second.sendall(b"GET / HTTP/1.1\r\n")  # the next request on a kept-alive connection
        assert b"HTTP/1.1 408" in _until_closed(second)
    assert "connections_refused" in reported and "slow_request_headers" in reported
