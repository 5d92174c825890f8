"""Routes of instances (hub/group/project; admins only): create, list, delete.  Tokens are
granted instances when they are made (``POST /tokens`` with ``instances``)."""

from __future__ import annotations

from typing import Any

from fastapi import Request, Response
from starlette.concurrency import run_in_threadpool

from runtime_kit.errors import InputValueError
from runtime_kit.service.core.instances import Instance
from runtime_kit.service.http.api import Api, ApiError, api_of
from runtime_kit.service.http.api_schemas import DONE, documented, json_answer
from runtime_kit.service.http.routing import api_router

router = api_router()


def _admin(request: Request) -> Api:
    api = api_of(request)
    if not api.caller(request).is_admin:
        raise ApiError(403, "only admins manage instances")
    return api


@router.post(
    "/instances",
    **documented(
        {200: json_answer("InstanceCreated")},
        errors=(400, 401, 403, 409, 413),
        body="InstanceCreate",
    ),
)
async def create_instance(request: Request) -> dict[str, Any]:
    api = await run_in_threadpool(_admin, request)
    body = await api.json_body(request)
    return await run_in_threadpool(_create, api, body)


def _create(api: Api, body: dict[str, Any]) -> dict[str, Any]:
    instance = parsed_instance(body.get("instance"), "instance")
    open_to_all = body.get("open_to_all", False)
    if not isinstance(open_to_all, bool):
        raise ApiError(400, "open_to_all must be true or false")
    if not api.instances.create(instance, open_to_all=open_to_all):
        raise ApiError(409, f"instance {instance} exists already")
    return {"instance": str(instance), "open_to_all": open_to_all}


@router.get("/instances", **documented({200: json_answer("InstanceList")}, errors=(401, 403)))
def list_instances(request: Request) -> dict[str, Any]:
    return {"instances": _admin(request).instances.list()}


@router.delete("/instances/{hub}/{group}/{project}", **documented(DONE, errors=(401, 403, 404)))
def delete_instance(request: Request, hub: str, group: str, project: str) -> Response:
    api = _admin(request)
    instance = Instance(hub, group, project)
    if api.instances.delete(instance) is None:
        raise ApiError(404, f"no such instance: {instance}")
    return Response(status_code=204)


def parsed_instance(value: Any, where: str) -> Instance:
    """``value`` (``HUB/GROUP/PROJECT``) as an ``Instance``; a 400 naming ``where`` if not."""
    try:
        return Instance.parse(value)
    except InputValueError as exc:
        raise ApiError(400, f"{where}: {exc}") from exc
