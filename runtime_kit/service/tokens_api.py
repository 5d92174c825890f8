"""Routes of API tokens (admins only): create (the token is shown once), list, revoke."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from runtime_kit.service.api import Api, ApiError, api_of
from runtime_kit.service.auth import ROLES

router = APIRouter()


def _admin(request: Request) -> Api:
    api = api_of(request)
    if not api.caller(request).is_admin:
        raise ApiError(403, "only admins manage tokens")
    return api


@router.post("/tokens")
async def create_token(request: Request) -> dict[str, Any]:
    body = await api_of(request).json_body(request)
    return await run_in_threadpool(_create_token, request, body)


def _create_token(request: Request, body: dict[str, Any]) -> dict[str, Any]:
    api = _admin(request)
    name, role = body.get("name"), body.get("role", "user")
    if not isinstance(name, str) or not name.strip():
        raise ApiError(400, "name is required")
    if role not in ROLES:
        raise ApiError(400, f"role must be one of {', '.join(ROLES)}")
    principal, token = api.tokens.create(name.strip(), role)
    return {"id": principal.id, "name": principal.name, "role": role, "token": token}


@router.get("/tokens")
def list_tokens(request: Request) -> dict[str, Any]:
    return {"tokens": _admin(request).tokens.list()}


@router.delete("/tokens/{token_id}")
def revoke_token(request: Request, token_id: str) -> Response:
    if not _admin(request).tokens.revoke(token_id):
        raise ApiError(404, f"token not found: {token_id}")
    return Response(status_code=204)
