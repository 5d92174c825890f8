"""What every route shares: the error shape, the caller's identity, bodies, visibility rules.

Every error answers ``{"error": {"message", "code", "status"}}`` (the legacy client appends
message and code to its exception text).  JSON bodies are read whatever their Content-Type,
as legacy clients send them as plain data.  Programs and jobs the caller may not see are
404, never 403: their existence is not disclosed.

Nothing that blocks (SQLite commits with ``fsync``, parsing and checking bodies of up to
64 MiB) runs on the event loop: routes are plain functions (FastAPI runs them in its thread
pool), or async only to read the body and then hand the work to the pool.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import Query, Request, WebSocket
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from runtime_kit.service.auth import Principal

_CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    409: "CONFLICT",
    413: "TOO_LARGE",
}


#: Paging query parameters, bounded so that no number reaches SQLite too large for it.
Limit = Annotated[int, Query(ge=0, le=10_000)]
Offset = Annotated[int, Query(ge=0, le=2**62)]


class ApiError(Exception):
    def __init__(self, status: int, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code or _CODES.get(status, "ERROR")


def error_response(status: int, message: str, code: str) -> JSONResponse:
    return JSONResponse(
        {"error": {"message": message, "code": code, "status": status}}, status_code=status
    )


class Api:
    """The service as the routes see it (``request.app.state.api``)."""

    def __init__(self, service: Any) -> None:
        self.store = service.store
        self.tokens = service.tokens
        self.scheduler = service.scheduler
        self.hub = service.hub
        self._service = service

    @property
    def max_body_bytes(self) -> int:
        return self._service.max_body_bytes

    @property
    def limits(self) -> Any:
        """The caps of each job (``JobLimits``)."""
        return self._service.limits

    def caller(self, request: Request | WebSocket) -> Principal:
        headers = request.headers
        token = headers.get("x-access-token")
        authorization = headers.get("authorization", "")
        if not token and authorization.lower().startswith("bearer "):
            token = authorization[7:].strip()
        if not token:
            raise ApiError(401, "missing API token: send X-Access-Token or Authorization: Bearer")
        principal = self.tokens.authenticate(token)
        if principal is None:
            raise ApiError(401, "invalid or revoked API token")
        return principal

    async def body(self, request: Request) -> bytes:
        limit = self.max_body_bytes
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > limit:
            raise ApiError(413, f"request body over {limit} bytes")
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > limit:
                raise ApiError(413, f"request body over {limit} bytes")
        return bytes(body)

    async def json_body(self, request: Request) -> dict[str, Any]:
        """The body as a JSON object, parsed off the event loop (it may be 64 MiB)."""
        return await run_in_threadpool(parse_json_object, await self.body(request))

    def visible_program(self, principal: Principal, program_id: str) -> Any:
        row = self.store.program(program_id)
        if row is None or not (
            row["is_public"] or row["owner"] == principal.id or principal.is_admin
        ):
            raise ApiError(404, f"program not found: {program_id}")
        return row

    def owned_program(self, principal: Principal, program_id: str) -> Any:
        row = self.visible_program(principal, program_id)
        if not principal.can_upload or not (row["owner"] == principal.id or principal.is_admin):
            raise ApiError(403, f"not allowed to change program {program_id}")
        return row

    def program_scope(self, principal: Principal) -> tuple[str, tuple[Any, ...]]:
        """The SQL condition on ``programs`` (and its arguments) of the programs
        ``principal`` may see: the lists' form of ``visible_program``."""
        if principal.is_admin:
            return "1", ()
        return "(is_public = 1 OR owner = ?)", (principal.id,)

    def job_scope(self, principal: Principal) -> tuple[str, tuple[Any, ...]]:
        """The SQL condition on ``jobs`` (and its arguments) of the jobs ``principal`` may
        see: the lists' form of ``visible_job``."""
        return ("1", ()) if principal.is_admin else ("owner = ?", (principal.id,))

    def visible_job(self, principal: Principal, job_id: str) -> Any:
        row = self.store.query_one("SELECT * FROM jobs WHERE id = ?", job_id)
        if row is None or not (row["owner"] == principal.id or principal.is_admin):
            raise ApiError(404, f"job not found: {job_id}")
        return row


def parse_json_object(body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise ApiError(400, f"malformed JSON body ({exc})") from exc
    if not isinstance(value, dict):
        raise ApiError(400, "the JSON body must be an object")
    return value


def api_of(request: Request | WebSocket) -> Api:
    return request.app.state.api
