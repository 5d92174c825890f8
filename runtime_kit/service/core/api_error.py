"""The one refusal the service answers with: ``ApiError`` (a status, a message, a code).

The routes raise it for bad requests, and the core raises it too where what it refuses is
the caller's to hear (a quota: ``admission.QuotaExceeded``); ``http.api_errors`` renders it
as the API's error shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    408: "REQUEST_TIMEOUT",
    409: "CONFLICT",
    413: "TOO_LARGE",
    429: "TOO_MANY_REQUESTS",
    503: "UNAVAILABLE",
}


class ApiError(Exception):
    """An answer other than success: ``status``, the message, a code (default: the
    status's), ``details`` added to the error object (``program_ids``), and headers to send
    with it (``Retry-After``)."""

    def __init__(
        self,
        status: int,
        message: str,
        code: str | None = None,
        details: dict[str, Any] | None = None,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code or _CODES.get(status, "ERROR")
        self.details = details or {}
        self.headers = dict(headers or {})
