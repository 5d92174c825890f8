"""The service's own description: ``/openapi.json`` (OpenAPI 3.1) and ``/docs`` (Swagger UI).

The document is FastAPI's, completed: the named shapes of ``api_schemas``, the two ways to
send a token, the error shape in place of FastAPI's 422 (validation errors answer 400 here),
and the websocket streams in the description (OpenAPI has no websockets).  The web pages
(``/ui``) are left out.  Swagger UI's files come from the ``fastapi-offline`` package
(fastapi-offline is MIT; Swagger UI, 5.32.6 in fastapi-offline 1.7.7, is Apache-2.0), served
by the service itself: the page fetches nothing from elsewhere.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from runtime_kit.service.http.api_schemas import SCHEMAS

OPENAPI_URL = "/openapi.json"
DOCS_URL = "/docs"
ASSETS_URL = "/docs/assets"
#: Routes that need no token.
OPEN_ROUTES = ("/health", "/metrics", "/api/version", "/api/users/loginWithToken")

DESCRIPTION = """\
The REST API of the legacy IBM runtime service (programs, jobs), as runtime-kit serves it.
Send the token as `X-Access-Token` (legacy clients) or `Authorization: Bearer`. JSON bodies
are read whatever their Content-Type. Every error is `{"error": {"message", "code", "status"}}`.

Websockets (not described by OpenAPI):

- `/stream/jobs/{id}?since=N`: `ACK`, each interim result after number N, then close 1000 when
  the job ends (the result is fetched from `/jobs/{id}/results`).
- `/stream/jobs/{id}/logs?since=N`: the logs after character N as they come, close 1000.

Close codes: 1000 done, 1001 the service is shutting down, 1008 refused (the reason says why:
token, job, `since`), 1013 the client reads too slowly (reconnect with `since`).
"""


def install(app: FastAPI) -> None:
    """Complete the document ``app`` serves at ``OPENAPI_URL``, and serve ``/docs`` (``app``
    is created with ``openapi_url=OPENAPI_URL, docs_url=None, redoc_url=None``)."""
    import fastapi_offline

    app.openapi = lambda: _document(app)  # type: ignore[method-assign]
    assets = Path(fastapi_offline.__file__).parent / "static"
    app.mount(ASSETS_URL, StaticFiles(directory=assets), name="docs-assets")

    @app.get(DOCS_URL, include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=OPENAPI_URL,
            title=f"{app.title}: API",
            swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_URL}/favicon.png",
            swagger_ui_parameters={"validatorUrl": None},  # no badge from validator.swagger.io
        )


def _document(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema is None:
        document = get_openapi(
            title=app.title, version=app.version, description=DESCRIPTION, routes=app.routes
        )
        components = document.setdefault("components", {})
        schemas = components.setdefault("schemas", {})
        for unused in ("HTTPValidationError", "ValidationError"):
            schemas.pop(unused, None)
        schemas.update(SCHEMAS)
        components["securitySchemes"] = {
            "accessToken": {"type": "apiKey", "in": "header", "name": "X-Access-Token"},
            "bearer": {"type": "http", "scheme": "bearer"},
        }
        document["security"] = [{"accessToken": []}, {"bearer": []}]
        for path, operations in document.get("paths", {}).items():
            for operation in operations.values():
                _complete(operation, open_route=path in OPEN_ROUTES)
        app.openapi_schema = document
    return app.openapi_schema


def _complete(operation: dict[str, Any], *, open_route: bool) -> None:
    """FastAPI's 422 becomes our 400 in the error shape; a query parameter is absent or a
    string, never null; open routes need no token."""
    for parameter in operation.get("parameters", []):
        choices = parameter["schema"].get("anyOf", [])
        if parameter["in"] == "query" and {"type": "null"} in choices:
            rest = [choice for choice in choices if choice != {"type": "null"}]
            del parameter["schema"]["anyOf"]
            parameter["schema"].update(rest[0] if len(rest) == 1 else {"anyOf": rest})
    responses = operation.setdefault("responses", {})
    if responses.pop("422", None) is not None and "400" not in responses:
        responses["400"] = {
            "description": "bad input (the message names it)",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
    if open_route:
        operation["security"] = []
