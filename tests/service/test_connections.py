"""The pieces that bound connections (a real service under attack is in
``test_hostile_service.py``)."""

from __future__ import annotations

import asyncio
import resource

from runtime_kit.service.connections import (
    RESERVED_FILES,
    ThrottledReport,
    connection_cap,
    loop_exception_handler,
    raise_open_files,
)


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
