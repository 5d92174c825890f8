"""The web view's own files: its stylesheet and script under ``/ui/static``, and the
service's icon at ``/favicon.ico`` (where browsers ask for it, signed in or not)."""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from runtime_kit.service.http.api import ApiError
from runtime_kit.service.ui.pages import SECURITY_HEADERS

router = APIRouter()

#: The files of ``static/`` served under ``/ui/static``, with their media types.
STATIC = {"ui.css": "text/css; charset=utf-8", "ui.js": "text/javascript; charset=utf-8"}
FAVICON = "favicon.ico"
_CACHED_DAY = {**SECURITY_HEADERS, "Cache-Control": "public, max-age=86400"}


@router.get("/ui/static/{name}")
async def static_asset(name: str) -> Response:
    if name not in STATIC:
        raise ApiError(404, f"no such asset: {name}")
    data = await run_in_threadpool(static_bytes, name)
    headers = {**SECURITY_HEADERS, "Cache-Control": "no-cache"}
    return Response(data, media_type=STATIC[name], headers=headers)


@router.get("/favicon.ico")
async def favicon() -> Response:
    data = await run_in_threadpool(static_bytes, FAVICON)
    return Response(data, media_type="image/x-icon", headers=_CACHED_DAY)


def static_bytes(name: str) -> bytes:
    return resources.files("runtime_kit.service.ui").joinpath("static", name).read_bytes()
