"""API routes whose answers are rendered off the event loop.

FastAPI runs a plain (sync) endpoint in its thread pool, but encodes the dict it returns
(``jsonable_encoder``, pure Python) back on the event loop: a 2.4 MB backend document held
the loop for ~0.4 s, and every other caller waited.  ``ThreadRenderedRoute`` makes such an
endpoint return its answer already rendered (``json.dumps`` by the route's response class,
in the same thread), so the loop only sends bytes.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute


class ThreadRenderedRoute(APIRoute):
    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if not inspect.iscoroutinefunction(endpoint):
            response_class = kwargs.get("response_class")
            if not (isinstance(response_class, type) and issubclass(response_class, Response)):
                response_class = JSONResponse
            endpoint = _rendering(endpoint, response_class, kwargs.get("status_code") or 200)
        super().__init__(path, endpoint, **kwargs)


def _rendering(
    endpoint: Callable[..., Any], response_class: type[Response], status_code: int
) -> Callable[..., Any]:
    @functools.wraps(endpoint)
    def rendered(*args: Any, **kwargs: Any) -> Any:
        answer = endpoint(*args, **kwargs)
        if isinstance(answer, Response):
            return answer
        return response_class(answer, status_code=status_code)

    # Its parameters with their annotations evaluated where the endpoint was written (older
    # FastAPI looks names up in the wrapper's module, not the endpoint's).
    rendered.__signature__ = inspect.signature(endpoint, eval_str=True)  # type: ignore[attr-defined]
    return rendered


def api_router() -> APIRouter:
    """A router of API routes (``ThreadRenderedRoute``)."""
    return APIRouter(route_class=ThreadRenderedRoute)
