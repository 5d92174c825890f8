"""Client retries against a real flaky HTTP server on 127.0.0.1: idempotent requests try
again on 502/503/429 (honouring Retry-After) and on connection errors, bounded in count and
time; a POST that may have been received is never repeated."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from runtime_kit.client.http import ServiceHttp
from runtime_kit.client.retries import RetryPolicy, retry_after_s
from runtime_kit.errors import ConfigurationError, ServiceError


class Flaky:
    """Answers the first ``failures`` requests with ``status`` (and ``retry_after``), then 200."""

    def __init__(self, failures: int, status: int = 503, retry_after: str | None = None) -> None:
        self.failures = failures
        self.status = status
        self.retry_after = retry_after
        self.seen: list[tuple[str, float]] = []
        flaky = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                flaky.seen.append((self.command, time.monotonic()))
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                failing = len(flaky.seen) <= flaky.failures
                body = json.dumps(
                    {"error": {"message": "busy", "code": "X", "status": flaky.status}}
                    if failing
                    else {"ok": True}
                ).encode()
                self.send_response(flaky.status if failing else 200)
                if failing and flaky.retry_after is not None:
                    self.send_header("Retry-After", flaky.retry_after)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_DELETE = _answer

            def log_message(self, format: str, *args: object) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def flaky() -> Iterator[list[Flaky]]:
    made: list[Flaky] = []
    yield made
    for server in made:
        server.close()


def _http(url: str, **retry: float) -> ServiceHttp:
    return ServiceHttp(url, "rk_test", retry=RetryPolicy(**retry), timeout_s=5)  # type: ignore[arg-type]


def test_get_tries_again_after_503_and_succeeds(flaky: list[Flaky]) -> None:
    server = Flaky(failures=2)
    flaky.append(server)
    assert _http(server.url, backoff_s=0.05).json("GET", "/programs") == {"ok": True}
    assert [method for method, _ in server.seen] == ["GET", "GET", "GET"]


def test_retry_after_is_honoured(flaky: list[Flaky]) -> None:
    server = Flaky(failures=1, status=429, retry_after="1")
    flaky.append(server)
    assert _http(server.url, backoff_s=0.01).json("DELETE", "/jobs/x") == {"ok": True}
    (_, first), (_, second) = server.seen
    assert second - first >= 0.95


def test_a_post_that_reached_the_service_is_not_repeated(flaky: list[Flaky]) -> None:
    server = Flaky(failures=5)
    flaky.append(server)
    with pytest.raises(ServiceError, match="503 busy") as raised:
        _http(server.url, backoff_s=0.01).json("POST", "/jobs", json_body={"program_id": "p"})
    assert raised.value.status == 503
    assert [method for method, _ in server.seen] == ["POST"]


def test_retries_are_bounded_in_count(flaky: list[Flaky]) -> None:
    server = Flaky(failures=10, status=502)
    flaky.append(server)
    with pytest.raises(ServiceError, match="502 busy"):
        _http(server.url, attempts=3, backoff_s=0.01).json("GET", "/jobs")
    assert len(server.seen) == 3


def test_retries_are_bounded_in_time(flaky: list[Flaky]) -> None:
    server = Flaky(failures=10, retry_after="5")
    flaky.append(server)
    started = time.monotonic()
    with pytest.raises(ServiceError):
        _http(server.url, attempts=10, max_wait_s=1.0).json("GET", "/jobs")
    assert time.monotonic() - started < 3
    assert len(server.seen) == 1  # waiting 5 s would pass the 1 s bound: it gives up at once


def test_a_refused_connection_is_tried_again_even_for_post() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nothing listens there
    started = time.monotonic()
    with pytest.raises(ServiceError, match=r"\(after 3 tries\)"):
        _http(f"http://127.0.0.1:{port}", attempts=3, backoff_s=0.1).json(
            "POST", "/jobs", json_body={}
        )
    assert time.monotonic() - started >= 0.15  # it waited between the tries


def test_retry_after_as_an_http_date() -> None:
    import httpx

    later = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 30))
    response = httpx.Response(503, headers={"Retry-After": later})
    assert 25 <= (retry_after_s(response) or 0) <= 31
    assert retry_after_s(httpx.Response(503, headers={"Retry-After": "soon"})) is None


def test_timeouts_and_retries_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from runtime_kit.client.config import resolve_http

    monkeypatch.setenv("RUNTIME_KIT_TIMEOUT_S", "2.5")
    monkeypatch.setenv("RUNTIME_KIT_RETRIES", "0")
    assert resolve_http() == (2.5, RetryPolicy(attempts=1))
    assert resolve_http(10, 5) == (10, RetryPolicy(attempts=6))
    monkeypatch.setenv("RUNTIME_KIT_RETRIES", "many")
    with pytest.raises(ConfigurationError, match="RUNTIME_KIT_RETRIES='many': not a number"):
        resolve_http()


@pytest.mark.parametrize(
    ("variable", "text", "expected"),
    [
        ("RUNTIME_KIT_TIMEOUT_S", "inf", "expected > 0 seconds"),
        ("RUNTIME_KIT_TIMEOUT_S", "1e400", "expected > 0 seconds"),
        ("RUNTIME_KIT_TIMEOUT_S", "0", "expected > 0 seconds"),
        ("RUNTIME_KIT_TIMEOUT_S", "nan", "expected > 0 seconds"),
        ("RUNTIME_KIT_RETRIES", "-2", "expected a whole number >= 0"),
    ],
)
def test_out_of_range_settings_name_their_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, text: str, expected: str
) -> None:
    from runtime_kit.client.config import resolve_http

    monkeypatch.setenv(variable, text)
    with pytest.raises(ConfigurationError, match=f"{variable}='{text}': {expected}"):
        resolve_http()
    with pytest.raises(ConfigurationError, match="timeout must be"):
        resolve_http(timeout_s=float("inf"), retries=0)


def test_an_untrusted_certificate_is_not_tried_again(tmp_path: Path) -> None:
    """A TLS failure is the same on every try: one handshake, then the hint, at once."""
    import ssl

    import trustme

    authority = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(context)
    handshakes: list[int] = []

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.settimeout(10)
        port = listener.getsockname()[1]

        def serve() -> None:
            try:
                while True:
                    connection, _ = listener.accept()
                    handshakes.append(1)
                    with connection, contextlib.suppress(ssl.SSLError, OSError):
                        context.wrap_socket(connection, server_side=True)
            except OSError:  # the listener closed, or 10 s without a connection
                return

        threading.Thread(target=serve, daemon=True).start()
        started = time.monotonic()
        with pytest.raises(ServiceError, match="CERTIFICATE_VERIFY_FAILED") as raised:
            _http(f"https://127.0.0.1:{port}", attempts=4, backoff_s=1.0).json("GET", "/jobs")
    assert "tries" not in str(raised.value) and "--ca-file" in str(raised.value)
    assert handshakes == [1]
    assert time.monotonic() - started < 4.0  # no backoff: 4 tries would wait >= 5.6 s
