"""``/ui/tokens`` (admins only): list, create (the new token is shown once), revoke."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from runtime_kit.service.core.auth import ROLES
from runtime_kit.service.http.api import ApiError, api_of
from runtime_kit.service.http.tokens_api import new_token
from runtime_kit.service.ui.pages import (
    Visitor,
    check_csrf,
    form_page,
    html_page,
    render,
    visitor_of,
)

router = APIRouter(prefix="/ui")


@router.get("/tokens")
@html_page
def tokens(request: Request) -> Response:
    return _tokens_page(request, _admin(request))


@router.post("/tokens")
async def create(request: Request) -> Response:
    return await form_page(request, _create)


@html_page
def _create(request: Request, form: dict[str, str]) -> Response:
    visitor = _admin(request)
    check_csrf(visitor, form)
    body = {"name": form.get("name"), "role": form.get("role", "user")}
    created = new_token(api_of(request), body)
    return _tokens_page(request, visitor, created=created)


@router.post("/tokens/{token_id}/revoke")
async def revoke(request: Request, token_id: str) -> Response:
    return await form_page(request, _revoke, token_id)


@html_page
def _revoke(request: Request, form: dict[str, str], token_id: str) -> Response:
    check_csrf(_admin(request), form)
    if not api_of(request).tokens.revoke(token_id):
        raise ApiError(404, f"token not found: {token_id}")
    return RedirectResponse("/ui/tokens", status_code=303)


def _admin(request: Request) -> Visitor:
    visitor = visitor_of(request)
    if not visitor.principal.is_admin:
        raise ApiError(403, "only admins manage tokens")
    return visitor


def _tokens_page(
    request: Request, visitor: Visitor, created: dict[str, str] | None = None
) -> Response:
    listed = api_of(request).tokens.list()
    return render(
        request, "tokens.html", visitor=visitor, tokens=listed, roles=ROLES, created=created
    )
