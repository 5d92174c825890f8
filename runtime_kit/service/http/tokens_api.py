"""Routes of API tokens (admins only): create (the token is shown once), list, revoke."""

from __future__ import annotations

import re
from typing import Any

from fastapi import Request, Response
from starlette.concurrency import run_in_threadpool

from runtime_kit.service.core.auth import ROLES
from runtime_kit.service.core.instances import UnknownInstanceError
from runtime_kit.service.http.api import MAX_NAME_CHARS, Api, ApiError, api_of, shown
from runtime_kit.service.http.api_schemas import (
    DONE,
    TOKEN_LINKS,
    TOKEN_NAME,
    documented,
    json_answer,
)
from runtime_kit.service.http.instances_api import parsed_instance
from runtime_kit.service.http.routing import api_router

router = api_router()


def _admin(request: Request) -> Api:
    api = api_of(request)
    if not api.caller(request).is_admin:
        raise ApiError(403, "only admins manage tokens")
    return api


@router.post(
    "/tokens",
    **documented(
        {200: json_answer("TokenCreated", links=TOKEN_LINKS)},
        errors=(400, 401, 403, 413),
        body="TokenCreate",
    ),
)
async def create_token(request: Request) -> dict[str, Any]:
    api = await run_in_threadpool(_admin, request)
    body = await api.json_body(request)
    return await run_in_threadpool(new_token, api, body)


def new_token(api: Api, body: dict[str, Any]) -> dict[str, Any]:
    """A new token from ``{"name", "role", "instances"}`` (checked); the token's text is only
    here."""
    name, role = token_name(body.get("name")), body.get("role", "user")
    if role not in ROLES:
        raise ApiError(400, f"role must be one of {', '.join(ROLES)}")
    listed = body.get("instances", [])
    if not isinstance(listed, list):
        raise ApiError(400, "instances must be a list of HUB/GROUP/PROJECT")
    instances = [parsed_instance(text, f"instances[{n}]") for n, text in enumerate(listed)]
    try:
        principal, token = api.tokens.create(name, role, instances=instances)
    except UnknownInstanceError as exc:
        raise ApiError(400, str(exc)) from exc
    return {
        "id": principal.id,
        "name": principal.name,
        "role": role,
        "token": token,
        "instances": [str(instance) for instance in api.instances.of_token(principal.id)],
    }


def token_name(name: Any) -> str:
    """A token's name: 1 to ``MAX_NAME_CHARS`` characters, none of them a control character
    or a line break (they would end up in listings and log lines); outer spaces removed."""
    if not isinstance(name, str) or not name.strip():
        raise ApiError(400, "name is required")
    if len(name) > MAX_NAME_CHARS or not re.fullmatch(TOKEN_NAME, name):
        raise ApiError(
            400,
            f"name must be at most {MAX_NAME_CHARS} characters, no control characters or "
            f"line breaks: {shown(name)}",
        )
    return name.strip()


@router.get("/tokens", **documented({200: json_answer("TokenList")}, errors=(401, 403)))
def list_tokens(request: Request) -> dict[str, Any]:
    return {"tokens": _admin(request).tokens.list()}


@router.delete("/tokens/{token_id}", **documented(DONE, errors=(401, 403, 404)))
def revoke_token(request: Request, token_id: str) -> Response:
    if not _admin(request).tokens.revoke(token_id):
        raise ApiError(404, f"token not found: {token_id}")
    return Response(status_code=204)
