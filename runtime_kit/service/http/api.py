"""What every route shares: the error shape, the caller's identity, bodies, visibility rules.

Every error answers ``{"error": {"message", "code", "status"}}`` (``api_errors``).  JSON
bodies are read whatever their Content-Type, as legacy clients send them as plain data, and
within limits that hold while they arrive (``bodies``).  Programs and jobs the caller may not
see are 404, never 403: their existence is not disclosed.

Nothing that blocks (SQLite commits with ``fsync``, parsing and checking bodies) runs on the
event loop: routes are plain functions (FastAPI runs them in its thread pool), or async only
to read the body and then hand the work to the pool.
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Query, Request, WebSocket
from starlette.concurrency import run_in_threadpool

from runtime_kit.service.core.auth import Principal
from runtime_kit.service.core.instances import Instance
from runtime_kit.service.core.internal_programs import INTERNAL_OWNER
from runtime_kit.service.core.store import RUNNING
from runtime_kit.service.http.api_errors import ApiError as ApiError  # noqa: PLC0414  (routes import it from here)
from runtime_kit.service.http.bodies import SMALL_BODY_BYTES, STALL_S, read_body
from runtime_kit.service.http.field_limits import MAX_LABEL_BYTES, utf8_size

if TYPE_CHECKING:
    from runtime_kit.sandbox.limits import JobLimits
    from runtime_kit.service.core.admission import Admission
    from runtime_kit.service.core.auth import Tokens
    from runtime_kit.service.core.backends import ServiceBackends
    from runtime_kit.service.core.environments import ProgramEnvironments
    from runtime_kit.service.core.instances import Instances
    from runtime_kit.service.core.scheduler import Scheduler
    from runtime_kit.service.core.store import Store
    from runtime_kit.service.core.streams import StreamHub
    from runtime_kit.service.http.rates import RequestLimiter

#: Paging query parameters, bounded so that no number reaches SQLite too large for it.
Limit = Annotated[int, Query(ge=1, le=10_000, description="items in the page")]
Offset = Annotated[int, Query(ge=0, le=2**62, description="items skipped before the page")]
#: ``pending=true`` (queued or running) or ``false`` (ended), in any case.
Pending = Annotated[
    str | None,
    Query(pattern="^(?i:true|false)$", description="true: queued or running; false: ended"),
]

#: The largest ``cost`` (seconds) a program or job may declare: 2^31 - 1 (68 years).
MAX_COST_S = 2**31 - 1
#: A cost sent as text (legacy v1 clients): 1 to 999 999 999.
COST_TEXT = r"[1-9][0-9]{0,8}"
#: The longest token name.
MAX_NAME_CHARS = 100
#: The longest free-text label a job keeps (hub, group, project, runtime, log_level), in
#: characters; its UTF-8 takes at most ``field_limits.MAX_LABEL_BYTES`` too.
MAX_LABEL_CHARS = 256


#: The code of a 409 for a program name that several programs the caller may see have; the
#: error then also lists their ``program_ids``.
AMBIGUOUS_PROGRAM = "AMBIGUOUS_PROGRAM_NAME"


class Api:
    """The service as the routes see it (``request.app.state.api``): the parts of the core
    they call, the settings they apply, and the rules they share.  The routes see nothing
    else of the service (``runtime_kit/service/README.md``).

    Args:
        limiter: the rates per token (``expensive`` routes hold its second bucket).
        limits: the caps of each job.
        max_body_bytes: the largest request body (a program's upload).
        stall_s: seconds a request body may stop arriving (read at each request).
    """

    #: Seconds a websocket message may wait for the client to take the ones before it
    #: before the stream is closed 1013 (a reader too slow).
    ws_send_timeout_s: float = 30.0

    def __init__(
        self,
        *,
        store: Store,
        tokens: Tokens,
        instances: Instances,
        scheduler: Scheduler,
        admission: Admission,
        hub: StreamHub,
        backends: ServiceBackends,
        environments: ProgramEnvironments,
        limiter: RequestLimiter,
        limits: JobLimits,
        max_body_bytes: int,
        stall_s: Callable[[], float] = lambda: STALL_S,
    ) -> None:
        self.store = store
        self.tokens = tokens
        self.instances = instances
        self.scheduler = scheduler
        self.admission = admission
        self.hub = hub
        self.backends = backends
        self.environments = environments
        self.limiter = limiter
        self.limits = limits
        self.max_body_bytes = max_body_bytes
        self._stall_s = stall_s

    async def principal(self, request: Request) -> Principal:
        """``caller``, off the event loop (a token is looked up in SQLite)."""
        return await run_in_threadpool(self.caller, request)

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

    @property
    def stall_s(self) -> float:
        """Seconds a request body may stop arriving."""
        return self._stall_s()

    async def body(self, request: Request, limit: int = SMALL_BODY_BYTES) -> bytes:
        """The body, at most ``limit`` bytes (``bodies.read_body``)."""
        return await read_body(request, limit, stall_s=self.stall_s)

    async def json_body(self, request: Request, limit: int = SMALL_BODY_BYTES) -> dict[str, Any]:
        """The body (at most ``limit`` bytes) as a JSON object, parsed off the event loop."""
        return await run_in_threadpool(parse_json_object, await self.body(request, limit))

    def expensive(self, principal: Principal) -> AbstractContextManager[None]:
        """Around an expensive route's work (``RequestLimiter.expensive``): one at a time
        per token, at most ``expensive_per_min`` (admins are not held to it)."""
        if principal.is_admin:
            return nullcontext()
        return self.limiter.expensive(principal.id)

    def instances_of(self, principal: Principal) -> list[Instance]:
        """The instances ``principal`` may run under, its default first."""
        return self.instances.of_token(principal.id, admin=principal.is_admin)

    def visible_program(self, principal: Principal, program_id: str) -> dict[str, Any]:
        """The program ``principal`` may see with id ``program_id``, else the one of that
        name (in 2021 a program's id was its name): the caller's own, else the only other
        one it may see.  404 if there is none, 409 (naming their ids) if several."""
        row = self.store.program(program_id)
        if (
            row is not None
            and row["owner"] != INTERNAL_OWNER
            and (row["is_public"] or row["owner"] == principal.id or principal.is_admin)
        ):
            return row
        return self._program_named(principal, program_id)

    def _program_named(self, principal: Principal, name: str) -> dict[str, Any]:
        scope, args = self.program_scope(principal)
        rows = self.store.query(
            f"SELECT * FROM program_rows WHERE name = ? AND {scope} ORDER BY seq", name, *args
        )
        own = [row for row in rows if row["owner"] == principal.id]
        public = [row for row in rows if row["is_public"] and row["owner"] != principal.id]
        chosen = own or public or rows  # the last: an admin's view of others' private ones
        if not chosen:
            raise ApiError(404, f"program not found: {name}")
        if len(chosen) > 1:
            ids = [row["id"] for row in chosen]
            raise ApiError(
                409,
                f"program name {name!r} is ambiguous: {', '.join(ids)} have it; give one of "
                "these ids",
                AMBIGUOUS_PROGRAM,
                {"program_ids": ids},
            )
        return dict(chosen[0])

    def owned_program(self, principal: Principal, program_id: str) -> dict[str, Any]:
        row = self.visible_program(principal, program_id)
        if not principal.can_upload or not (row["owner"] == principal.id or principal.is_admin):
            raise ApiError(403, f"not allowed to change program {program_id}")
        return row

    def program_scope(self, principal: Principal) -> tuple[str, tuple[Any, ...]]:
        """The SQL condition on ``programs`` (and its arguments) of the programs
        ``principal`` may see: the lists' form of ``visible_program``."""
        if principal.is_admin:
            return "owner != ?", (INTERNAL_OWNER,)
        return "(is_public = 1 OR owner = ?)", (principal.id,)

    def job_scope(
        self, principal: Principal, kind: str | None = None
    ) -> tuple[str, tuple[Any, ...]]:
        """The SQL condition on ``jobs`` (and its arguments) of the jobs ``principal`` may
        see (of ``kind`` only, if given): the lists' form of ``visible_job``."""
        scope, args = ("1", ()) if principal.is_admin else ("owner = ?", (principal.id,))
        return (scope, args) if kind is None else (f"{scope} AND kind = ?", (*args, kind))

    def visible_job(
        self, principal: Principal, job_id: str, kind: str | None = None
    ) -> sqlite3.Row:
        """A job ``principal`` may see (of ``kind``, if given: the runtime routes show
        program jobs, the provider's job API circuit jobs); 404 otherwise."""
        row = self.store.query_one("SELECT * FROM jobs WHERE id = ?", job_id)
        if (
            row is None
            or not (row["owner"] == principal.id or principal.is_admin)
            or (kind is not None and row["kind"] != kind)
        ):
            raise ApiError(404, f"job not found: {job_id}")
        return row

    def logs_so_far(self, job: sqlite3.Row) -> str:
        """A job's logs: as they come while it runs, as stored once it has ended."""
        live = self.scheduler.live_logs(job["id"]) if job["status"] == RUNNING else None
        return live if live is not None else job["logs"] or ""

    def interim_json(self, job_id: str) -> str:
        """Every interim result of a job, as one JSON array (the stored texts joined)."""
        return "[" + ", ".join(text for _, text in self.store.interim_since(job_id, 0)) + "]"


def parse_json_object(body: bytes) -> dict[str, Any]:
    """``body`` as a JSON object (``parse_json``)."""
    value = parse_json(body, "JSON body")
    if not isinstance(value, dict):
        raise ApiError(400, "the JSON body must be an object")
    return value


def parse_json(text: str | bytes, what: str) -> Any:
    """``text`` parsed as standard JSON only (Python's parser also takes NaN and Infinity,
    and reads 1e400 as infinity: none of them could be answered back as JSON); a 400 naming
    ``what`` otherwise."""
    try:
        return json.loads(text, parse_constant=_not_json, parse_float=_finite)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, UnicodeDecodeError, digits
        raise ApiError(400, f"malformed {what} ({str(exc)[:200]})") from exc


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON")


def _finite(text: str) -> float:
    value = float(text)
    if value in (math.inf, -math.inf):
        raise ValueError(f"the number {text[:40]} is too large")
    return value


def checked_cost(value: Any, name: str = "cost") -> int:
    """A cost in seconds: a positive integer up to ``MAX_COST_S`` (legacy v1 clients sent
    it as a string of ASCII digits)."""
    text = isinstance(value, str) and re.fullmatch(COST_TEXT, value)
    if text or (isinstance(value, float) and value.is_integer()):  # 60.0: an integer in JSON
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_COST_S:
        raise ApiError(
            400,
            f"{name} must be a positive integer of at most {MAX_COST_S} (seconds): " + shown(value),
        )
    return value


def shown(value: Any, limit: int = 80) -> str:
    """``repr(value)`` for an error message, cut to ``limit`` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def optional_label(body: dict[str, Any], key: str) -> str | None:
    """``body[key]``: a string of at most ``MAX_LABEL_CHARS`` characters and
    ``MAX_LABEL_BYTES`` bytes (UTF-8), or absent/null."""
    value = body.get(key)
    if value is not None and (
        not isinstance(value, str)
        or len(value) > MAX_LABEL_CHARS
        or utf8_size(value) > MAX_LABEL_BYTES
    ):
        raise ApiError(
            400,
            f"{key} must be a string of at most {MAX_LABEL_CHARS} characters "
            f"({MAX_LABEL_BYTES} bytes in UTF-8)",
        )
    return value


def api_of(request: Request | WebSocket) -> Api:
    api: Api = request.app.state.api
    return api
