"""The REST API of qiskit-serverless's gateway (``/api/v1``), as its ``ServerlessClient``
(0.37) calls it: functions uploaded, listed, fetched and run; their jobs listed, followed
(status, logs, result, events) and stopped.

The routes answer the shapes the client reads and take the token as it sends it
(``Authorization: Bearer``); errors keep the service's own shape, whose message the client
shows.  A function's arguments are checked against its ``arguments_schema`` when it is run
(400, before anything is queued).  These routes are not in ``/openapi.json``: they are the
gateway's API, described by qiskit-serverless (see docs/functions.md).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from runtime_kit.errors import BundleError, ProgramEnvironmentError
from runtime_kit.service.core.auth import Principal
from runtime_kit.service.core.store import FINAL_STATUSES, PROGRAM_JOB
from runtime_kit.service.http.api import Api, ApiError, api_of, parse_json, shown
from runtime_kit.service.http.gateway_functions import (
    IS_FUNCTION,
    STATUS_FILTER,
    error_events,
    find_function,
    function_object,
    job_object,
    result_text,
    store_function,
    title_and_provider,
)
from runtime_kit.service.http.routing import ThreadRenderedRoute

PREFIX = "/api/v1"
#: Form fields of an upload this service takes (the others it refuses, saying why).
UPLOAD_FIELDS = {
    "title",
    "provider",
    "entrypoint",
    "runner",
    "arguments",
    "dependencies",
    "env_vars",
    "description",
    "version",
    "arguments_schema",
    "artifact",
}
MAX_FORM_FIELDS = 32

router = APIRouter(include_in_schema=False, route_class=ThreadRenderedRoute)


def _route(method: str, path: str) -> Callable[[Any], Any]:
    """Register under ``PREFIX + path`` with and without its trailing slash (the client
    calls some paths with one and some without)."""

    def register(function: Any) -> Any:
        bare = PREFIX + path.rstrip("/")
        router.add_api_route(bare, function, methods=[method])
        router.add_api_route(bare + "/", function, methods=[method])
        return function

    return register


# --- functions ----------------------------------------------------------------------------


@_route("GET", "/programs")
def list_functions(request: Request) -> list[dict[str, Any]]:
    api = api_of(request)
    principal = api.caller(request)
    scope, args = api.program_scope(principal)
    rows = api.store.query(
        f"SELECT * FROM program_rows WHERE {IS_FUNCTION} AND {scope} ORDER BY seq", *args
    )
    provider = request.query_params.get("provider")
    shown_rows = [function_object(dict(row)) for row in rows]
    return [f for f in shown_rows if provider is None or f["provider"] == provider]


@_route("GET", "/programs/get_by_title/{title}")
def get_function(request: Request, title: str) -> dict[str, Any]:
    api = api_of(request)
    principal = api.caller(request)
    title, provider = title_and_provider(title, request.query_params.get("provider"))
    return function_object(find_function(api, principal, title, provider))


@_route("POST", "/programs/upload")
async def upload_function(request: Request) -> dict[str, Any]:
    api = api_of(request)
    principal = await api.principal(request)
    if not principal.can_upload:
        raise ApiError(403, "not authorized to upload functions (role uploader needed)")
    fields, artifact = await _upload_form(request, api)
    return await run_in_threadpool(_upload, api, principal, fields, artifact)


async def _upload_form(request: Request, api: Api) -> tuple[dict[str, str], bytes]:
    """The upload's text fields and its artifact's bytes (at most the body limit)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > api.max_body_bytes:
        raise ApiError(413, f"request body over {api.max_body_bytes} bytes")
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise ApiError(400, "an upload is multipart/form-data (fields and an artifact file)")
    try:
        form = await request.form(max_files=1, max_fields=MAX_FORM_FIELDS)
    except Exception as exc:
        raise ApiError(400, f"malformed multipart body ({str(exc)[:200]})") from exc
    fields: dict[str, str] = {}
    artifact: bytes | None = None
    try:
        for key, value in form.multi_items():
            if key not in UPLOAD_FIELDS:
                raise ApiError(400, _unsupported(key))
            if isinstance(value, UploadFile):
                if key != "artifact":
                    raise ApiError(400, f"{key} must be a form field, not a file")
                artifact = await value.read(api.max_body_bytes + 1)
                if len(artifact) > api.max_body_bytes:
                    raise ApiError(413, f"artifact over {api.max_body_bytes} bytes")
            else:
                fields[key] = value
    finally:
        await form.close()
    if artifact is None:
        if "image" in fields or "entrypoint" not in fields:
            raise ApiError(400, "upload a working_dir with an entrypoint (the artifact file)")
        raise ApiError(400, "artifact (the tar of the function's working_dir) is required")
    return fields, artifact


def _unsupported(key: str) -> str:
    if key == "image":
        return "functions with a custom image are not supported: upload a working_dir"
    if key in ("sizes", "default_size"):
        return f"{key}: function sizes (a Fleets feature) are not supported"
    return f"unknown upload field {shown(key)}"


def _upload(
    api: Api, principal: Principal, fields: dict[str, str], artifact: bytes
) -> dict[str, Any]:
    from runtime_kit.functions.artifact import function_bundle, read_artifact

    title, provider = title_and_provider(fields.get("title"), fields.get("provider"))
    entrypoint = _entrypoint(fields.get("entrypoint"))
    dependencies = _dependencies(fields.get("dependencies", "[]"))
    if _json_field(fields, "env_vars", {}) not in ({}, None):
        raise ApiError(400, "env_vars are not supported: give the function arguments instead")
    schema = _arguments_schema(fields.get("arguments_schema"))
    try:
        files = read_artifact(artifact)
        if entrypoint not in files:
            raise ApiError(400, f"entrypoint {entrypoint!r} is not in the uploaded working_dir")
        bundle = function_bundle(files, dependencies)
        api.environments.check_upload(bundle, "zip")
    except BundleError as exc:
        raise ApiError(exc.status, str(exc)) from exc
    except ProgramEnvironmentError as exc:
        raise ApiError(400, f"the function's environment: {exc}") from exc
    function = {
        "title": title,
        "provider": provider,
        "entrypoint": entrypoint,
        "dependencies": dependencies,
        "version": fields.get("version") or None,
    }
    description = fields.get("description") or ""
    return function_object(store_function(api, principal, function, schema, bundle, description))


def _entrypoint(value: Any) -> str:
    from pathlib import PurePosixPath

    if not isinstance(value, str) or not value.endswith(".py"):
        raise ApiError(400, f"entrypoint {shown(value)} must be a relative path to a .py file")
    parts = PurePosixPath(value).parts
    if value.startswith("/") or ".." in parts or "\\" in value or not parts:
        raise ApiError(400, f"entrypoint {value!r} is outside the function's working_dir")
    return PurePosixPath(*parts).as_posix()


def _json_field(fields: dict[str, str], key: str, default: Any) -> Any:
    text = fields.get(key)
    return default if text is None else parse_json(text, key)


def _dependencies(text: str) -> list[str]:
    """The function's dependencies (strings, or ``{name: version}``) as requirements."""
    from runtime_kit.environments.declaration import parse_requirements

    given = parse_json(text, "dependencies")
    if not isinstance(given, list):
        raise ApiError(400, "dependencies must be a JSON array")
    requirements = []
    for entry in given:
        item = entry
        if isinstance(entry, dict) and len(entry) == 1:
            name, version = next(iter(entry.items()))
            item = f"{name}=={version}" if str(version)[:1].isdigit() else f"{name}{version}"
        if not isinstance(item, str):
            raise ApiError(400, f"dependency {shown(item)} is not a requirement")
        findings: list[Any] = []
        parsed = parse_requirements(item, "dependencies", findings)
        if findings:
            raise ApiError(400, f"dependency {item!r}: {findings[0].message}")
        requirements += parsed
    return requirements


def _arguments_schema(text: str | None) -> Any:
    """The schema (None: none; ``{}`` removes one, as in qiskit-serverless)."""
    from runtime_kit.errors import SchemaDefinitionError
    from runtime_kit.metadata.schema_validators import compile_schema

    if text is None:
        return None
    schema = parse_json(text, "arguments_schema")
    if schema == {}:
        return None
    if not isinstance(schema, dict | bool):
        raise ApiError(400, "arguments_schema must be a JSON Schema (an object or a boolean)")
    try:
        compile_schema(schema)
    except SchemaDefinitionError as exc:
        raise ApiError(400, f"arguments_schema cannot be used: {exc}") from exc
    return schema


@_route("POST", "/programs/validate_arguments")
async def validate_arguments(request: Request) -> dict[str, Any]:
    api = api_of(request)
    principal = await api.principal(request)
    body = await api.json_body(request, api.max_body_bytes)  # arguments: the caller is known
    await run_in_threadpool(_checked_run, api, principal, body)
    return {"valid": True}


@_route("POST", "/programs/run")
async def run_function(request: Request) -> dict[str, Any]:
    api = api_of(request)
    principal = await api.principal(request)
    body = await api.json_body(request, api.max_body_bytes)  # arguments: the caller is known
    return await run_in_threadpool(_run, api, principal, body)


def _checked_run(
    api: Api, principal: Principal, body: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The function and the arguments of a run, once they pass the function's schema."""
    from runtime_kit.functions.checks import problems

    title, provider = title_and_provider(body.get("title"), body.get("provider"))
    if body.get("function_size") is not None:
        raise ApiError(400, "function_size: function sizes (a Fleets feature) are not supported")
    text = body.get("arguments", "{}")
    if not isinstance(text, str):
        raise ApiError(400, "arguments must be JSON text (as ServerlessClient sends them)")
    arguments = parse_json(text, "arguments")
    if not isinstance(arguments, dict):
        raise ApiError(400, "arguments must be a JSON object")
    function = find_function(api, principal, title, provider)
    schema = json.loads(function["spec"]).get("parameters")
    wrong = [message for _, message in problems(arguments, schema)]
    if wrong:
        raise ApiError(400, "arguments do not match the function's schema: " + "; ".join(wrong))
    return function, arguments


def _run(api: Api, principal: Principal, body: dict[str, Any]) -> dict[str, Any]:
    from runtime_kit.harness.backends import DEFAULT_BACKEND, find_backend
    from runtime_kit.service.http.jobs_api import NewJob, job_instance, submit_job

    function, arguments = _checked_run(api, principal, body)
    named = arguments.get("backend_name")
    backend = named if isinstance(named, str) and find_backend(named) else DEFAULT_BACKEND
    instance = job_instance(api, principal, {"hub": None, "group": None, "project": None})
    job = NewJob(
        owner=principal.id,
        program_id=function["id"],
        instance=instance,
        backend=backend,
        params=json.dumps(arguments),
        version=function["version"],
        client="qiskit-serverless",
    )
    job_id = submit_job(api, job)
    row = api.visible_job(principal, job_id, PROGRAM_JOB)
    return {**job_object(row, function, with_result=False), "arguments": json.dumps(arguments)}


# --- jobs -----------------------------------------------------------------------------------


@_route("GET", "/jobs")
def list_jobs(request: Request) -> dict[str, Any]:
    api = api_of(request)
    principal = api.caller(request)
    query = request.query_params
    limit, offset = _count(query.get("limit"), 10, "limit"), _count(query.get("offset"), 0)
    clauses = ["j.kind = ?", IS_FUNCTION.replace("spec", "p.spec")]
    values: list[Any] = [PROGRAM_JOB]
    if not principal.is_admin:
        clauses.append("j.owner = ?")
        values.append(principal.id)
    status = query.get("status")
    if status:
        statuses = STATUS_FILTER.get(status)
        if statuses is None:
            raise ApiError(
                400, f"unknown status {shown(status)}: one of {', '.join(STATUS_FILTER)}"
            )
        clauses.append(f"j.status IN ({', '.join('?' for _ in statuses)})")
        values += statuses
    function = query.get("function")
    if function:
        title, provider = title_and_provider(function, query.get("provider"))
        clauses.append("p.name = ?")
        values.append(title if provider is None else f"{provider}.{title}")
    created_after = query.get("created_after")
    if created_after:
        clauses.append("j.created > ?")
        values.append(created_after)
    where = " AND ".join(clauses)
    joined = "jobs j JOIN program_rows p ON p.id = j.program_id"
    total = api.store.count(f"SELECT COUNT(*) FROM {joined} WHERE {where}", *values)
    rows = api.store.query(
        f"SELECT j.*, p.spec AS program_spec FROM {joined} WHERE {where} "
        "ORDER BY j.seq DESC LIMIT ? OFFSET ?",
        *values,
        limit,
        offset,
    )
    results = [job_object(row, {"spec": row["program_spec"]}, with_result=False) for row in rows]
    return {"count": total, "next": None, "previous": None, "results": results}


def _count(text: str | None, default: int, name: str = "offset") -> int:
    if text is None or text == "":
        return default
    if not text.isdigit() or len(text) > 9:
        raise ApiError(400, f"{name} must be a non-negative integer, not {shown(text)}")
    return min(int(text), 10_000) if name == "limit" else int(text)


def _visible_function_job(api: Api, request: Request, job_id: str) -> tuple[Any, dict[str, Any]]:
    principal = api.caller(request)
    row = api.visible_job(principal, job_id, PROGRAM_JOB)
    program = api.store.program(row["program_id"], row["version"])
    if program is None or "function" not in json.loads(program["spec"]):
        raise ApiError(404, f"job not found: {job_id} (not a Qiskit Function's job)")
    return row, program


@_route("GET", "/jobs/{job_id}")
def get_job(request: Request, job_id: str) -> dict[str, Any]:
    api = api_of(request)
    row, program = _visible_function_job(api, request, job_id)
    with_result = request.query_params.get("with_result", "false").lower() == "true"
    return job_object(row, program, with_result=with_result)


@_route("GET", "/jobs/{job_id}/result")
def job_result(request: Request, job_id: str) -> dict[str, Any]:
    api = api_of(request)
    row, _ = _visible_function_job(api, request, job_id)
    return {"result": result_text(row)}


@_route("GET", "/jobs/{job_id}/logs")
def job_logs(request: Request, job_id: str) -> dict[str, Any]:
    api = api_of(request)
    row, _ = _visible_function_job(api, request, job_id)
    return {"logs": api.logs_so_far(row)}


@_route("GET", "/jobs/{job_id}/provider-logs")
def job_provider_logs(request: Request, job_id: str) -> dict[str, Any]:
    """A job's logs for its function's provider: here, whoever uploaded the function."""
    api = api_of(request)
    row, program = _visible_function_job(api, request, job_id)
    principal = api.caller(request)
    if program["owner"] != principal.id and not principal.is_admin:
        raise ApiError(403, "only the function's uploader reads its provider logs")
    return {"logs": api.logs_so_far(row)}


@_route("GET", "/jobs/{job_id}/events")
def job_events(request: Request, job_id: str) -> list[dict[str, Any]]:
    api = api_of(request)
    row, _ = _visible_function_job(api, request, job_id)
    kind = (request.query_params.get("type") or "").upper()
    return [event for event in error_events(row) if kind in ("", event["event_type"])]


@_route("GET", "/jobs/{job_id}/runtime_jobs")
def job_runtime_jobs(request: Request, job_id: str) -> dict[str, Any]:
    """None: the primitives a function starts run inside its job, not as jobs of their own."""
    api = api_of(request)
    _visible_function_job(api, request, job_id)
    return {"runtime_jobs": []}


@_route("POST", "/jobs/{job_id}/stop")
def stop_job(request: Request, job_id: str) -> dict[str, Any]:
    """Stop the job, and so everything it runs (its primitives run in its own processes)."""
    api = api_of(request)
    row, _ = _visible_function_job(api, request, job_id)
    if row["status"] in FINAL_STATUSES or not api.scheduler.cancel(job_id):
        return {"message": "Job has already ended."}
    return {"message": "Job has been stopped."}


@_route("GET", "/dependencies-versions")
def dependencies_versions(request: Request) -> list[str]:
    """The packages every function has without declaring them: runtime-kit's Qiskit."""
    from importlib.metadata import version

    api_of(request).caller(request)
    return [f"{name}=={version(name)}" for name in ("qiskit", "qiskit-aer", "numpy")]
