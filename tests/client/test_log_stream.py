"""``follow_logs``: the client of ``/stream/jobs/{id}/logs?since=N``, against a stand-in
server (a mock of the service's route, named so) that speaks the route's contract: each new
chunk of log text as a text message from character ``since`` on, close 1000 when the job
ended.
It cuts the first connection after one chunk, so resuming is tested too."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from urllib.parse import parse_qs, urlparse

import pytest

from runtime_kit.client.http import ServiceHttp
from runtime_kit.client.log_stream import follow_logs
from runtime_kit.errors import ServiceError

LOG = "first line\nsecond line, with ünïcode\nthird line\n"
CHUNKS = ["first line\n", "second line, with ünïcode\n", "third line\n"]


class MockLogRoute:
    """A stand-in for the service's log stream route (mock: the real route is tested
    end to end in test_user_paths once the service has it)."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, int, str | None]] = []
        self.connections = 0

    def handler(self, socket) -> None:  # websockets.sync.server.ServerConnection
        from websockets.frames import CloseCode

        parsed = urlparse(socket.request.path)
        since = int(parse_qs(parsed.query).get("since", ["0"])[0])
        self.requests.append((parsed.path, since, socket.request.headers.get("X-Access-Token")))
        self.connections += 1
        sent = 0
        for chunk in CHUNKS:
            end = sent + len(chunk)
            if end > since:
                socket.send(chunk[max(0, since - sent) :])
                if self.connections == 1:  # the first connection drops mid-stream
                    socket.close(CloseCode.INTERNAL_ERROR)
                    return
            sent = end
        socket.close(CloseCode.NORMAL_CLOSURE)


@pytest.fixture
def route() -> Iterator[tuple[MockLogRoute, ServiceHttp]]:
    from websockets.sync.server import serve

    mock = MockLogRoute()
    with serve(mock.handler, "127.0.0.1", 0) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        port = server.socket.getsockname()[1]
        http = ServiceHttp(f"http://127.0.0.1:{port}", "secret")
        try:
            yield mock, http
        finally:
            http.close()
            server.shutdown()
            thread.join(10)


def test_logs_arrive_in_chunks_and_resume_after_a_drop(
    route: tuple[MockLogRoute, ServiceHttp],
) -> None:
    mock, http = route
    chunks = list(follow_logs(http, "job-1"))
    assert "".join(chunks) == LOG
    assert chunks == CHUNKS
    assert mock.requests == [
        ("/stream/jobs/job-1/logs", 0, "secret"),
        ("/stream/jobs/job-1/logs", len(CHUNKS[0]), "secret"),
    ]


def test_since_skips_what_was_read(route: tuple[MockLogRoute, ServiceHttp]) -> None:
    mock, http = route
    mock.connections = 1  # no drop
    offset = len(LOG) - len(CHUNKS[-1])
    assert "".join(follow_logs(http, "job-1", since=offset)) == CHUNKS[-1]


def test_a_refused_stream_is_a_service_error() -> None:
    http = ServiceHttp("http://127.0.0.1:9", "t")  # nothing listens: every attempt fails
    from runtime_kit.client import log_stream

    saved = log_stream.MAX_RECONNECTS
    log_stream.MAX_RECONNECTS = 1
    try:
        with pytest.raises(ServiceError, match="was lost after 1 reconnects"):
            list(follow_logs(http, "job-1"))
    finally:
        log_stream.MAX_RECONNECTS = saved
        http.close()
