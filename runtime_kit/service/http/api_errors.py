"""The one error shape of the API: ``{"error": {"message", "code", "status"}}`` (the legacy
client appends message and code to its exception text), the answer to every ``ApiError``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi.responses import JSONResponse

from runtime_kit.service.core.api_error import ApiError

__all__ = ["ApiError", "error_response"]


def error_response(
    status: int,
    message: str,
    code: str,
    details: dict[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    error = {"message": message, "code": code, "status": status, **(details or {})}
    return JSONResponse({"error": error}, status_code=status, headers=dict(headers or {}))
