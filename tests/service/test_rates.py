"""Rates and concurrency per token: the limiter alone (a clock of our own), then through the
API (in process, quotas set low)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from runtime_kit.service.core.quotas import Quotas
from runtime_kit.service.http import rates
from runtime_kit.service.http.api_errors import ApiError
from runtime_kit.service.http.rates import RequestLimiter, TokenBucket, caller_key
from runtime_kit.service.service import Service
from tests.service.conftest import Api, program_body


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_refills_at_its_rate_up_to_its_capacity() -> None:
    bucket = TokenBucket(rate=2, capacity=4, now=0)
    assert [bucket.take(0) for _ in range(4)] == [0, 0, 0, 0]
    assert bucket.take(0) == pytest.approx(0.5)
    assert bucket.take(0.5) == 0
    assert bucket.take(100) == 0 and bucket.tokens == 3  # capped at its capacity


def refusal(action: object) -> ApiError:
    with pytest.raises(ApiError) as refused:
        action()  # type: ignore[operator]
    return refused.value


def test_requests_over_the_rate_are_429_with_retry_after() -> None:
    clock = Clock()
    limiter = RequestLimiter(Quotas(requests_per_s=10, requests_at_once=100), clock)
    for _ in range(20):  # a burst of twice the rate
        limiter.enter("token:a", "request")
        limiter.leave("token:a", "request")
    refused = refusal(lambda: limiter.enter("token:a", "request"))
    assert (refused.status, refused.code) == (429, "TOO_MANY_REQUESTS")
    assert refused.message == "rate limit: 10 requests per second per token"
    assert refused.headers == {"Retry-After": "1"}
    limiter.enter("token:b", "request")  # another token has its own bucket
    clock.now = 0.1
    limiter.enter("token:a", "request")


def test_requests_and_streams_at_once_are_counted_apart() -> None:
    limiter = RequestLimiter(Quotas(requests_at_once=2, streams_per_token=1), Clock())
    limiter.enter("token:a", "request")
    limiter.enter("token:a", "request")
    assert refusal(lambda: limiter.enter("token:a", "request")).message == (
        "rate limit: 2 requests at once per token"
    )
    limiter.enter("token:a", "stream")
    assert refusal(lambda: limiter.enter("token:a", "stream")).message == (
        "rate limit: 1 open streams per token"
    )
    limiter.leave("token:a", "request")
    limiter.enter("token:a", "request")


def test_expensive_requests_run_one_at_a_time_and_per_minute() -> None:
    clock = Clock()
    limiter = RequestLimiter(Quotas(expensive_per_min=12), clock)
    with limiter.expensive("tok_a"):
        refused = refusal(lambda: limiter.expensive("tok_a").__enter__())
        assert refused.message == "rate limit: one expensive request at a time per token"
        with limiter.expensive("tok_b"):
            pass
    for _ in range(1):  # capacity: a tenth of a minute's worth, at least 1
        with limiter.expensive("tok_a"):
            pass
    refused = refusal(lambda: limiter.expensive("tok_a").__enter__())
    assert refused.message == "rate limit: 12 expensive requests per minute per token"
    assert refused.headers == {"Retry-After": "5"}
    clock.now = 5
    with limiter.expensive("tok_a"):
        pass


def test_callers_are_forgotten_beyond_the_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rates, "MAX_CALLERS", 100)
    limiter = RequestLimiter(Quotas(), Clock())
    limiter.enter("token:busy", "request")
    for number in range(1000):
        limiter.enter(f"token:{number}", "request")
        limiter.leave(f"token:{number}", "request")
    assert len(limiter._callers) <= 101
    assert "token:busy" in limiter._callers  # one with a request open is kept


def test_a_caller_is_its_token_its_session_or_its_address() -> None:
    def key(*headers: tuple[bytes, bytes]) -> str:
        return caller_key({"headers": list(headers), "client": ("10.0.0.7", 5000)})

    hashed = key((b"x-access-token", b"secret"))
    assert hashed.startswith("token:") and "secret" not in hashed
    assert key((b"authorization", b"Bearer secret")) == hashed
    session = key((b"cookie", b"other=1; rk_session=abc"))
    assert session.startswith("session:") and "abc" not in session
    assert key() == "client:10.0.0.7"


@pytest.fixture
def limited(tmp_path: Path) -> Iterator[tuple[Service, TestClient]]:
    quotas = Quotas(requests_per_s=5, requests_at_once=2, streams_per_token=1, expensive_per_min=6)
    service = Service(
        tmp_path / "data", workers=1, admin_token="admin-secret", builtin_programs=False,
        quotas=quotas,
    )  # fmt: skip
    service.start()
    try:
        with TestClient(service.app()) as client:
            yield service, client
    finally:
        service.stop()


@pytest.mark.service
def test_through_the_api_a_user_is_limited_and_an_admin_is_not(
    limited: tuple[Service, TestClient],
) -> None:
    service, client = limited
    _, token = service.tokens.create("mallory", "user")
    answers = [client.get("/programs", headers={"X-Access-Token": token}) for _ in range(30)]
    statuses = [answer.status_code for answer in answers]
    assert statuses[:10] == [200] * 10 and 429 in statuses, statuses
    refused = next(answer for answer in answers if answer.status_code == 429)
    assert refused.json()["error"] == {
        "message": "rate limit: 5 requests per second per token",
        "code": "TOO_MANY_REQUESTS",
        "status": 429,
    }
    assert int(refused.headers["Retry-After"]) >= 1
    admin = {"X-Access-Token": "admin-secret"}
    assert {client.get("/programs", headers=admin).status_code for _ in range(30)} == {200}
    assert service.health()["quotas"]["requests_per_s"] == 5


@pytest.mark.service
def test_through_the_api_expensive_routes_have_their_own_limit(
    limited: tuple[Service, TestClient],
) -> None:
    service, client = limited
    _, token = service.tokens.create("mallory", "user")
    headers = {"X-Access-Token": token}
    assert client.get("/backends/noisy-5/properties", headers=headers).status_code == 200
    refused = client.get("/backends/noisy-5/configuration", headers=headers)
    assert refused.status_code == 429
    assert refused.json()["error"]["message"] == (
        "rate limit: 6 expensive requests per minute per token"
    )
    assert refused.headers["Retry-After"] == "10"
    assert client.get("/backends/noisy-5/status", headers=headers).status_code == 200


@pytest.mark.service
def test_a_stream_over_the_limit_is_closed_1013(limited: tuple[Service, TestClient]) -> None:
    service, client = limited
    _, token = service.tokens.create("mallory", "uploader")
    user = Api(client, token)
    program_id = user.post("/programs", program_body("sleeper", source=SLEEPER, spec={})).json()[
        "id"
    ]
    job_id = user.post("/jobs", {"program_id": program_id}).json()["id"]
    headers = {"X-Access-Token": token}
    try:
        with client.websocket_connect(f"/stream/jobs/{job_id}", headers=headers) as first:
            assert first.receive_text() == "ACK"
            with (
                client.websocket_connect(f"/stream/jobs/{job_id}", headers=headers) as second,
                pytest.raises(WebSocketDisconnect) as closed,
            ):
                second.receive_text()
            assert (closed.value.code, closed.value.reason) == (
                1013,
                "rate limit: 1 open streams per token",
            )
    finally:
        client.post(f"/jobs/{job_id}/cancel", headers={"X-Access-Token": "admin-secret"})


SLEEPER = "import time\n\ndef main(backend, user_messenger):\n    time.sleep(60)\n"
