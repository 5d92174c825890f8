"""Account routes: what ``IBMQ.enable_account(token, url=<service>/api)`` (qiskit-ibmq-provider
0.18-0.20) and ``QiskitRuntimeService(channel="ibm_quantum", token=..., url=<service>/api)``
(qiskit-ibm-runtime 0.9-0.15) call before they reach the runtime API, and the backends they
list.

The login sequence of both (their ``api/rest/root.py`` and ``api/clients/auth.py``):
``GET /api/version`` must name an ``api-auth``; ``POST /api/users/loginWithToken`` trades the
API token for an access token (here: the same token, so whatever the token may do, the
access token may); ``GET /api/users/me`` gives the URLs of the API (``http``), its websocket
(``ws``) and the runtime service (``services.runtime``: this service's root, where
``/programs`` and ``/jobs`` are); ``GET /api/Network`` the token's hub/group/projects
(``service/instances.py``), its default marked ``isDefault``: ``ibm-q/open/main``, the open
project of IBM Quantum, unless the operator changed that, so that scripts selecting it run
unchanged.

Backends, the provider's way (``api/rest/account.py``, ``api/rest/backend.py``):
``/api/Network/{hub}/Groups/{group}/Projects/{project}/devices/v/1`` and, per backend,
``.../devices/{name}/properties``, ``/queue/status``, ``/defaults``.  And qiskit-ibm-runtime's
way, on the runtime service: ``/backends?provider=hub/group/project`` and
``/backends/{name}/configuration``, ``/status``, ``/properties``, ``/defaults``.

Circuits run through the ``circuit-runner`` program (``provider.run_circuits``), and
through the provider's own job API (``backend.run``: ``circuit_jobs_api``).
"""

from __future__ import annotations

from typing import Any

from fastapi import Request, Response
from starlette.concurrency import run_in_threadpool

from runtime_kit.backends.provider import BackendSpec
from runtime_kit.errors import InputValueError
from runtime_kit.service.core.auth import Principal
from runtime_kit.service.core.instances import Instance
from runtime_kit.service.core.store import QUEUED, now
from runtime_kit.service.http.api import Api, ApiError, api_of
from runtime_kit.service.http.api_schemas import DONE, documented, json_answer
from runtime_kit.service.http.routing import api_router

PROJECT_PATH = "/api/Network/{hub}/Groups/{group}/Projects/{project}"
#: Seconds an access token lives, as the login answer states it (it is the API token).
ACCESS_TOKEN_TTL_S = 1_209_600
router = api_router()


@router.get("/api/version", **documented({200: json_answer("ApiVersion")}))
def version() -> dict[str, Any]:
    from runtime_kit import __version__

    return {"new_api": True, "api-auth": __version__, "api-runtime-kit": __version__}


@router.post(
    "/api/users/loginWithToken",
    **documented({200: json_answer("AccessToken")}, errors=(400, 401, 413), body="Login"),
)
async def login(request: Request) -> dict[str, Any]:
    api = api_of(request)
    token = (await api.json_body(request)).get("apiToken")
    if not isinstance(token, str) or not token:
        raise ApiError(400, "apiToken (the API token) is required")
    principal = await run_in_threadpool(api.tokens.authenticate, token)  # SQLite: off the loop
    if principal is None:
        raise ApiError(401, "invalid or revoked API token")
    return {"id": token, "ttl": ACCESS_TOKEN_TTL_S, "created": now(), "userId": principal.id}


@router.get("/api/users/me", **documented({200: json_answer("UserInfo")}, errors=(401,)))
def user_info(request: Request) -> dict[str, Any]:
    principal = api_of(request).caller(request)
    root = str(request.base_url).rstrip("/")
    websocket_root = "ws" + root.removeprefix("http")
    return {
        "id": principal.id,
        "username": principal.name,
        "role": principal.role,
        "urls": {
            "http": f"{root}/api",
            "ws": f"{websocket_root}/api/ws",
            "services": {"runtime": root},
        },
    }


@router.get("/api/Network", **documented({200: json_answer("Hubs")}, errors=(401,)))
def hubs(request: Request) -> list[dict[str, Any]]:
    api = api_of(request)
    return network(api.instances_of(api.caller(request)))


def network(instances: list[Instance]) -> list[dict[str, Any]]:
    """The hubs, their groups and projects, as ``/api/Network`` lists them: the first of
    ``instances`` is the default (its hub and project marked ``isDefault``)."""
    hubs: dict[str, dict[str, Any]] = {}
    for number, (hub, group, project) in enumerate(instances):
        entry = hubs.setdefault(hub, {"name": hub, "isDefault": number == 0, "groups": {}})
        groups = entry["groups"].setdefault(group, {"name": group, "projects": {}})
        groups["projects"][project] = {"name": project, "isDefault": number == 0}
    return list(hubs.values())


@router.get(
    f"{PROJECT_PATH}/devices/v/1",
    **documented({200: json_answer("BackendConfigurations")}, errors=(401, 404)),
)
def project_backends(request: Request, hub: str, group: str, project: str) -> Response:
    api, principal = _project_api(request, hub, group, project)
    with api.expensive(principal):
        documents = [
            api.backends.configuration(info.name, api.backends.resolve(info.name))
            for info in api.backends.listed()
        ]
    return _json(b"[" + b",".join(documents) + b"]")


@router.get(
    f"{PROJECT_PATH}/devices/{{name}}/properties",
    **documented({200: json_answer("BackendProperties")}, errors=(401, 404)),
)
def project_backend_properties(
    request: Request, hub: str, group: str, project: str, name: str
) -> Response:
    api, principal = _project_api(request, hub, group, project)
    with api.expensive(principal):
        return _json(api.backends.properties(name, _spec(api, name)))


@router.get(
    f"{PROJECT_PATH}/devices/{{name}}/queue/status",
    **documented({200: json_answer("BackendStatus")}, errors=(401, 404)),
)
def project_backend_status(
    request: Request, hub: str, group: str, project: str, name: str
) -> dict[str, Any]:
    return _status(_project_api(request, hub, group, project)[0], name)


@router.get(
    f"{PROJECT_PATH}/devices/{{name}}/defaults",
    **documented({200: json_answer("BackendDefaults")}, errors=(401, 404)),
)
def project_backend_defaults(
    request: Request, hub: str, group: str, project: str, name: str
) -> dict[str, Any]:
    _spec(_project_api(request, hub, group, project)[0], name)
    return {}  # no pulse defaults: these backends take circuits only


@router.post("/logout", **documented(DONE, errors=(401,)))
def logout(request: Request) -> Response:
    """qiskit-ibmq-provider's ``provider.runtime.logout()``: IBM's runtime cached each user's
    authorization, and this dropped it (after an upload right was granted, say).  This
    service checks the token on every request and caches nothing, so there is nothing to
    drop: the token stays valid."""
    api_of(request).caller(request)
    return Response(status_code=204)


@router.get("/backends", **documented({200: json_answer("BackendNames")}, errors=(401, 404)))
def runtime_backends(request: Request, provider: str | None = None) -> dict[str, Any]:
    api = api_of(request)
    principal = api.caller(request)
    if provider is not None and provider not in map(str, api.instances_of(principal)):
        raise ApiError(404, f"no such hub/group/project: {provider}")
    return {"devices": [info.name for info in api.backends.listed()]}


@router.get(
    "/backends/{name}/configuration",
    **documented({200: json_answer("BackendConfiguration")}, errors=(401, 404)),
)
def runtime_backend_configuration(request: Request, name: str) -> Response:
    api = api_of(request)
    with api.expensive(api.caller(request)):
        return _json(api.backends.configuration(name, _spec(api, name)))


@router.get(
    "/backends/{name}/status",
    **documented({200: json_answer("BackendStatus")}, errors=(401, 404)),
)
def runtime_backend_status(request: Request, name: str) -> dict[str, Any]:
    api = api_of(request)
    api.caller(request)
    return _status(api, name)


@router.get(
    "/backends/{name}/properties",
    **documented({200: json_answer("BackendProperties")}, errors=(401, 404)),
)
def runtime_backend_properties(request: Request, name: str) -> Response:
    api = api_of(request)
    with api.expensive(api.caller(request)):
        return _json(api.backends.properties(name, _spec(api, name)))


@router.get(
    "/backends/{name}/defaults",
    **documented({200: json_answer("BackendDefaults")}, errors=(401, 404)),
)
def runtime_backend_defaults(request: Request, name: str) -> dict[str, Any]:
    api = api_of(request)
    api.caller(request)
    _spec(api, name)
    return {}


def _project_api(request: Request, hub: str, group: str, project: str) -> tuple[Api, Principal]:
    """The API and the caller, for a caller of one of its own hub/group/projects (any other
    is 404)."""
    api = api_of(request)
    principal = api.caller(request)
    if Instance(hub, group, project) not in api.instances_of(principal):
        raise ApiError(404, f"no such hub/group/project: {hub}/{group}/{project}")
    return api, principal


def _spec(api: Api, name: str) -> BackendSpec:
    """The backend this service offers under ``name`` (any other is 404)."""
    try:
        spec = api.backends.find(name)
    except InputValueError as exc:
        raise ApiError(404, f"no such backend: {name} ({exc})") from exc
    if spec is None:
        raise ApiError(404, f"no such backend: {name}")
    return spec


def _json(document: bytes) -> Response:
    return Response(content=document, media_type="application/json")


def _status(api: Api, name: str) -> dict[str, Any]:
    from runtime_kit import __version__

    _spec(api, name)
    queued = api.store.count(
        "SELECT COUNT(*) FROM jobs WHERE backend = ? AND status = ?", name, QUEUED
    )
    return {
        "backend_name": name,
        "backend_version": __version__,
        "state": True,
        "status": "active",
        "lengthQueue": queued,
        "length_queue": queued,
    }
