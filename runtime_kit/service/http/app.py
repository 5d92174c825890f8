"""The REST + websocket API of the legacy runtime service (reference §4), on FastAPI."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Mount

from runtime_kit.service.http import (
    account_api,
    circuit_job_stream,
    circuit_jobs_api,
    gateway_api,
    instances_api,
    jobs_api,
    openapi,
    programs_api,
    streams_api,
    tokens_api,
)
from runtime_kit.service.http.api import Api
from runtime_kit.service.http.api_errors import ApiError, error_response
from runtime_kit.service.http.api_schemas import documented, json_answer, text_answer
from runtime_kit.service.http.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from runtime_kit.service.http.rates import RequestRates

if TYPE_CHECKING:
    from runtime_kit.service.core.events import EventLog
    from runtime_kit.service.http.metrics import ServiceMetrics


def create_app(
    api: Api,
    *,
    pages: APIRouter,
    describe_health: Callable[[], dict[str, Any]],
    service_metrics: ServiceMetrics,
    log: EventLog,
    exempt: Callable[[str], bool],
) -> FastAPI:
    """The API of a service: its routes, seeing the service through ``api``.

    Args:
        pages: the web view's routes (``runtime_kit.service.ui.router``), included last.
        describe_health: what ``GET /health`` answers.
        service_metrics: what ``GET /metrics`` answers; each request is observed in it.
        log: where each request's line goes.
        exempt: whether a caller (``rates.caller_key``) is held to no rate (an admin).
    """
    from runtime_kit import __version__

    app = FastAPI(
        title="runtime-kit service",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        openapi_url=openapi.OPENAPI_URL,
    )
    app.state.api = api
    app.add_exception_handler(ApiError, _api_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unexpected)
    for module in (
        programs_api,
        jobs_api,
        streams_api,
        tokens_api,
        instances_api,
        account_api,
        circuit_jobs_api,
        circuit_job_stream,
        gateway_api,
    ):
        app.include_router(module.router)
    openapi.install(app)
    app.add_middleware(RequestRates, limiter=api.limiter, exempt=exempt)
    app.add_middleware(RequestLog, metrics=service_metrics, log=log)
    app.include_router(pages)

    @app.get("/health", **documented({200: json_answer("Health")}))
    def health() -> dict[str, Any]:
        return describe_health()

    @app.get("/metrics", **documented({200: text_answer("Prometheus metrics (text format)")}))
    def metrics() -> Response:
        return Response(service_metrics.render(), media_type=METRICS_CONTENT_TYPE)

    return app


class RequestLog:
    """ASGI middleware: one log line and one observation per HTTP request (its route
    template, status and duration)."""

    def __init__(self, app: Any, metrics: ServiceMetrics, log: EventLog) -> None:
        self.app = app
        self.metrics = metrics
        self.log = log

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_see(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_see)
        finally:
            elapsed = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", "(no route)")
            self.metrics.request_time.labels(scope["method"], route, str(status)).observe(elapsed)
            client = scope.get("client") or ("-", 0)
            self.log.request(scope["method"], scope["path"], status, elapsed, client[0])


async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
    return error_response(exc.status, exc.message, exc.code, exc.details, exc.headers)


async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    response = error_response(exc.status_code, str(exc.detail), "HTTP_ERROR")
    response.headers.update(exc.headers or {})
    if exc.status_code == 405:  # Starlette names the methods of the first matching route only
        allowed = ", ".join(_methods_of(request)) or (exc.headers or {}).get("Allow", "")
        response.headers["Allow"] = allowed
    return response


_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")


def _methods_of(request: Request) -> list[str]:
    """Every method some route of ``request.app`` (a Mount aside) takes on its path."""
    routes = [route for route in request.app.routes if not isinstance(route, Mount)]
    return [
        method
        for method in _METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] == Match.FULL for route in routes
        )
    ]


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    """A bug, not bad input: the error shape still holds; the details go to the log."""
    logging.getLogger("runtime_kit.service").exception("unexpected error in %s", request.url.path)
    return error_response(500, f"internal error ({type(exc).__name__})", "INTERNAL")


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    first = exc.errors()[0] if exc.errors() else {}
    where = ".".join(str(part) for part in first.get("loc", ()))
    return error_response(400, f"{where}: {first.get('msg', 'invalid request')}", "BAD_REQUEST")
