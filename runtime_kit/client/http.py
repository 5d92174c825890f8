"""HTTP to a runtime service: httpx with an injectable transport, errors mapped once."""

from __future__ import annotations

import json
import ssl
import time
from pathlib import Path
from typing import Any

import httpx

from runtime_kit.client import retries
from runtime_kit.client.retries import RetryPolicy
from runtime_kit.errors import (
    AmbiguousProgramError,
    ConfigurationError,
    DuplicateProgramError,
    InvalidStateError,
    JobNotFoundError,
    NotAuthorizedError,
    ProgramNotFoundError,
    RuntimeKitError,
    ServiceError,
)

TIMEOUT_S = 60.0
TRUST_HINT = (
    " (to trust the service's CA: --ca-file at login, RUNTIME_KIT_CA_FILE or SSL_CERT_FILE)"
)


class ServiceHttp:
    """Requests to ``url`` with ``token``; ``transport`` replaces the network (tests, ASGI).

    An https service is verified against ``ca_file`` when given (its websockets too), else
    against the default CAs (``SSL_CERT_FILE`` names another bundle).  Each request has
    ``timeout_s``; a failed one is tried again as ``retry`` says (``client.retries``).
    """

    def __init__(
        self,
        url: str,
        token: str,
        *,
        transport: httpx.BaseTransport | None = None,
        ca_file: Path | None = None,
        timeout_s: float = TIMEOUT_S,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.ssl_context = _trusting(ca_file)
        self.retry = retry or RetryPolicy()
        self.url = url.rstrip("/")
        self.token = token
        try:
            parsed = httpx.URL(self.url)
        except httpx.InvalidURL as exc:
            raise ConfigurationError(f"invalid service URL {url!r}: {exc}") from exc
        if parsed.scheme not in ("http", "https") or not parsed.host:
            raise ConfigurationError(f"invalid service URL {url!r}: expected http(s)://host[:port]")
        self._client = httpx.Client(
            base_url=self.url,
            headers={"X-Access-Token": token},
            timeout=timeout_s,
            transport=transport,
            verify=self.ssl_context or True,
        )

    @property
    def websocket_url(self) -> str:
        return "ws" + self.url.removeprefix("http")

    def close(self) -> None:
        self._client.close()

    def websocket(self, path: str) -> Any:
        """A websocket connection to ``path`` (a context manager), with the token and the
        trusted CA of this service."""
        from websockets.sync.client import connect

        return connect(
            f"{self.websocket_url}{path}",
            additional_headers={"X-Access-Token": self.token},
            open_timeout=30,
            ssl=self.ssl_context,
        )

    def request(
        self, method: str, path: str, *, json_body: Any = None, **kwargs: Any
    ) -> httpx.Response:
        if json_body is not None:
            kwargs["content"] = json.dumps(json_body)
            kwargs.setdefault("headers", {})["Content-Type"] = "application/json"
        url = f"{self.url}{path}"
        attempt, waited_s = 0, 0.0
        while True:
            attempt += 1
            response: httpx.Response | None = None
            try:
                response = self._client.request(method, path, **kwargs)
            except httpx.HTTPError as exc:
                delay = retries.wait_before(attempt, self.retry, None, waited_s)
                if delay is None or not retries.retryable_error(method, exc):
                    hint = TRUST_HINT if "CERTIFICATE_VERIFY_FAILED" in str(exc) else ""
                    tries = f" (after {attempt} tries)" if attempt > 1 else ""
                    raise ServiceError(
                        f"{method} {url}: {exc}{hint}{tries}", method=method, url=url
                    ) from exc
            else:
                if not retries.retryable_answer(method, response):
                    break
                delay = retries.wait_before(attempt, self.retry, response, waited_s)
                if delay is None:
                    break
            time.sleep(delay)
            waited_s += delay
        if response.status_code >= 400:
            raise _error_for(response, method, url)
        return response

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.request(method, path, **kwargs)
        return response.json() if response.content else None


def _trusting(ca_file: Path | None) -> ssl.SSLContext | None:
    """A context that trusts only the CA certificates in ``ca_file`` (None: the defaults)."""
    if ca_file is None:
        return None
    try:
        return ssl.create_default_context(cafile=str(ca_file))
    except (OSError, ssl.SSLError) as exc:
        raise ConfigurationError(f"CA file {ca_file}: cannot be used ({exc})") from exc


def _error_for(response: httpx.Response, method: str, url: str) -> RuntimeKitError:
    try:
        error = response.json()["error"]
        message = error["message"]
    except (ValueError, KeyError, TypeError):
        error, message = {}, response.text[:300] or response.reason_phrase
    status = response.status_code
    if status == 409 and error.get("code") == "AMBIGUOUS_PROGRAM_NAME":
        ids = [str(program_id) for program_id in error.get("program_ids") or []]
        return AmbiguousProgramError(message, program_ids=ids)
    kind: type[ServiceError] = ServiceError
    if status in (401, 403):
        kind = NotAuthorizedError
    elif status == 404 and method == "POST" and url.endswith("/jobs"):
        kind = ProgramNotFoundError  # a job is submitted for a program (or version) not found
    elif status == 404 and "/jobs" in url:
        kind = JobNotFoundError
    elif status == 404 and "/programs" in url:
        kind = ProgramNotFoundError
    elif status == 409 and method == "POST" and url.endswith("/programs"):
        kind = DuplicateProgramError
    elif status == 409:
        kind = InvalidStateError
    return kind(f"{method} {url}: {status} {message}", status=status, method=method, url=url)
