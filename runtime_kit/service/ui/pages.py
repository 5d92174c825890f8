"""Rendering pages: the Jinja environment (autoescaping everything), the signed-in visitor,
security headers, and the error pages that stand in for the API's JSON errors.

Authorization is the API's: a page asks ``Api.visible_program``, ``Api.visible_job`` and
their list forms (``program_scope``, ``job_scope``) with the visitor's principal, so it
never shows what the API would refuse that token.
"""

from __future__ import annotations

import functools
import json
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from runtime_kit.service.core.auth import Principal
from runtime_kit.service.core.sessions import (
    SESSION_COOKIE,
    SESSION_LIFETIME_S,
    SIGN_IN_COOKIE,
    Session,
    Sessions,
    same_secret,
)
from runtime_kit.service.http.api import ApiError, api_of
from runtime_kit.service.http.bodies import read_body
from runtime_kit.service.ui.timestamps import when_html

MAX_FORM_BYTES = 64 * 1024
#: Everything a page loads comes from the service itself; no inline script runs.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}

_environment = jinja2.Environment(
    loader=jinja2.PackageLoader("runtime_kit.service.ui", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_environment.filters["when"] = when_html
_state_lock = threading.Lock()


class SignedOut(Exception):
    """No valid session: the page answers with the sign-in form."""


@dataclass(frozen=True)
class Visitor:
    """A signed-in visitor: their principal (the API's identity) and session."""

    principal: Principal
    session: Session

    @property
    def csrf(self) -> str:
        return self.session.csrf


def sessions_of(request: Request) -> Sessions:
    """The sessions of this app's service (one set per app, made on first use)."""
    state = request.app.state
    with _state_lock:
        if not hasattr(state, "ui_sessions"):
            state.ui_sessions = Sessions(api_of(request).store)
    sessions: Sessions = state.ui_sessions
    return sessions


def visitor_of(request: Request) -> Visitor:
    found = sessions_of(request).find(request.cookies.get(SESSION_COOKIE))
    if found is None:
        raise SignedOut
    session, principal = found
    return Visitor(principal, session)


def check_csrf(visitor: Visitor, form: dict[str, str]) -> None:
    if not same_secret(form.get("csrf"), visitor.csrf):
        raise ApiError(403, "the form is stale or did not come from this site: reload the page")


def render(request: Request, template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
    text = _environment.get_template(template).render(request_path=request.url.path, **context)
    return HTMLResponse(text, status_code=status, headers=SECURITY_HEADERS)


def fragment(template: str, **context: Any) -> str:
    """A piece of a page (for the live updates), escaped like the pages."""
    return _environment.get_template(template).render(**context)


def html_page(handler: Callable[..., Response]) -> Callable[..., Response]:
    """A page route: signed out, the sign-in page; an API error, an error page."""

    @functools.wraps(handler)
    def page(request: Request, *args: Any, **kwargs: Any) -> Response:
        try:
            return handler(request, *args, **kwargs)
        except SignedOut:
            return sign_in_page(request, status=401)
        except ApiError as exc:
            return error_page(request, exc)

    return page


async def form_page(request: Request, handler: Callable[..., Response], *args: Any) -> Response:
    """A form's route: read the body here, then ``handler(request, form, *args)`` (an
    ``html_page``) in the thread pool."""
    try:
        form = await read_form(request)
    except ApiError as exc:
        return await run_in_threadpool(error_page, request, exc)
    return await run_in_threadpool(handler, request, form, *args)


def error_page(request: Request, exc: ApiError) -> HTMLResponse:
    visitor = _visitor_or_none(request)
    return render(request, "error.html", status=exc.status, visitor=visitor, message=exc.message)


def sign_in_page(
    request: Request, *, status: int = 200, error: str | None = None, next_path: str | None = None
) -> HTMLResponse:
    """The sign-in form, with the double-submit cookie its CSRF check compares."""
    secret = sign_in_secret(request)
    wanted = next_path or _path_with_query(request)
    response = render(
        request,
        "sign_in.html",
        status=status,
        visitor=None,
        error=error,
        csrf=secret,
        next_path=safe_next(wanted),
    )
    set_cookie(request, response, SIGN_IN_COOKIE, secret, max_age=3600)
    return response


def sign_in_secret(request: Request) -> str:
    """The sign-in forms' CSRF secret: the browser's double-submit cookie, or a new one
    (the response sets it with ``set_cookie(..., SIGN_IN_COOKIE, ...)``)."""
    return request.cookies.get(SIGN_IN_COOKIE) or secrets.token_urlsafe(32)


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/ui",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def start_session(request: Request, principal: Principal, next_path: str) -> Response:
    response = RedirectResponse(safe_next(next_path), status_code=303)
    session_id = sessions_of(request).open(principal)
    set_cookie(request, response, SESSION_COOKIE, session_id, max_age=SESSION_LIFETIME_S)
    response.delete_cookie(SIGN_IN_COOKIE, path="/ui")
    return response


def safe_next(path: str | None) -> str:
    """Where to go after signing in: a page of this web view, never another site."""
    if not path or not path.startswith("/ui/") or path.startswith("//") or "\\" in path:
        return "/ui/jobs"
    if path.startswith(("/ui/sign-in", "/ui/sign-out", "/ui/static/")):
        return "/ui/jobs"
    return path


async def read_form(request: Request) -> dict[str, str]:
    """A url-encoded form body (at most ``MAX_FORM_BYTES``) as a dict (first values)."""
    try:
        body = await read_body(request, MAX_FORM_BYTES)
    except ApiError as exc:
        if exc.status == 413:
            raise ApiError(413, f"form over {MAX_FORM_BYTES} bytes") from exc
        raise
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True)
    except UnicodeDecodeError as exc:
        raise ApiError(400, "the form is not UTF-8") from exc
    form: dict[str, str] = {}
    for key, value in pairs:
        form.setdefault(key, value)
    return form


def pretty_json(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=False, ensure_ascii=False)


def _visitor_or_none(request: Request) -> Visitor | None:
    try:
        return visitor_of(request)
    except SignedOut:
        return None


def _path_with_query(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")
