"""Signing in (a token typed into a form, or a one-time link) and out."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from runtime_kit.service.core.sessions import (
    LINK_LIFETIME_S,
    SESSION_COOKIE,
    SIGN_IN_COOKIE,
    same_secret,
)
from runtime_kit.service.http.api import ApiError, api_of
from runtime_kit.service.ui.pages import (
    SignedOut,
    check_csrf,
    form_page,
    html_page,
    render,
    sessions_of,
    set_cookie,
    sign_in_page,
    sign_in_secret,
    start_session,
    visitor_of,
)

router = APIRouter(prefix="/ui")


@router.get("")
@router.get("/")
def home() -> Response:
    return RedirectResponse("/ui/jobs", status_code=303)


@router.get("/sign-in")
def sign_in_form(request: Request, next: str | None = None) -> Response:
    try:
        visitor_of(request)
    except SignedOut:
        return sign_in_page(request, next_path=next)
    return RedirectResponse("/ui/jobs", status_code=303)


@router.post("/sign-in")
async def sign_in(request: Request) -> Response:
    return await form_page(request, _sign_in)


@html_page
def _sign_in(request: Request, form: dict[str, str]) -> Response:
    next_path = form.get("next")
    if not same_secret(form.get("csrf"), request.cookies.get(SIGN_IN_COOKIE)):
        error = "The form expired or did not come from this site: try again."
        return sign_in_page(request, status=403, error=error, next_path=next_path)
    principal = api_of(request).tokens.authenticate(form.get("token", "").strip())
    if principal is None:
        error = "That token is not valid (or has been revoked)."
        return sign_in_page(request, status=401, error=error, next_path=next_path)
    return start_session(request, principal, next_path or "/ui/jobs")


@router.post("/sign-out")
async def sign_out(request: Request) -> Response:
    return await form_page(request, _sign_out)


@html_page
def _sign_out(request: Request, form: dict[str, str]) -> Response:
    check_csrf(visitor_of(request), form)
    sessions_of(request).close(request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/ui/sign-in", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/ui")
    return response


@router.post("/sign-in-links")
def new_sign_in_link(request: Request) -> dict[str, Any]:
    """For a client holding an API token (``runtime-kit service open``): a one-time link
    that signs a browser in as that token."""
    api = api_of(request)
    code = sessions_of(request).new_code(api.caller(request))
    return {"path": f"/ui/sign-in/link?code={code}", "expires_in_s": LINK_LIFETIME_S}


@router.get("/sign-in/link")
def sign_in_link(request: Request, code: str = "") -> Response:
    """A page whose form (sent by the script at once, or by a click) redeems the code:
    a GET alone changes nothing, so a link preview cannot use it up."""
    secret = sign_in_secret(request)
    page = render(request, "sign_in_link.html", visitor=None, code=code, csrf=secret)
    set_cookie(request, page, SIGN_IN_COOKIE, secret, max_age=3600)
    return page


@router.post("/sign-in/link")
async def redeem_sign_in_link(request: Request) -> Response:
    return await form_page(request, _redeem)


@html_page
def _redeem(request: Request, form: dict[str, str]) -> Response:
    if not same_secret(form.get("csrf"), request.cookies.get(SIGN_IN_COOKIE)):
        raise ApiError(403, "the form did not come from this site: open the link again")
    principal = sessions_of(request).redeem(form.get("code", ""))
    if principal is None:
        error = "That sign-in link has expired or was used already: sign in with a token."
        return sign_in_page(request, status=401, error=error)
    return start_session(request, principal, "/ui/jobs")
