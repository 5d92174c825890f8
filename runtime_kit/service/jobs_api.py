"""Routes of jobs: submit, list, get, delete, results, cancel, logs, interim results
(reference §4.2); their websocket streams are in ``streams_api``."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import PlainTextResponse
from starlette.concurrency import run_in_threadpool

from runtime_kit.errors import InputValueError
from runtime_kit.harness.backends import DEFAULT_BACKEND
from runtime_kit.service.api import (
    Api,
    ApiError,
    Limit,
    Offset,
    Pending,
    api_of,
    checked_cost,
    optional_label,
    parse_json,
    shown,
)
from runtime_kit.service.api_schemas import DONE, JOB_LINKS, documented, json_answer, text_answer
from runtime_kit.service.auth import Principal
from runtime_kit.service.programs_api import checked_version
from runtime_kit.service.store import (
    CANCELLED,
    FINAL_STATUSES,
    QUEUED,
    RAN_TOO_LONG,
    RUNNING,
    now,
    random_id,
)

_LEGACY_PRIVATE = "_ParameterNamespace__"
#: Free-text fields of a job, kept as sent (a string or null).
LABELS = ("hub", "group", "project", "runtime", "log_level")

#: A JSON array of the interim results so far (each as the program published it).
INTERIM_ANSWER = {
    "description": "the interim results so far",
    "content": {"application/json": {"schema": {"type": "array"}}},
}

router = APIRouter()


@router.post(
    "/jobs",
    **documented(
        {200: json_answer("JobCreated", links=JOB_LINKS)},
        errors=(400, 401, 404, 413),
        body="JobCreate",
    ),
)
async def create_job(request: Request) -> dict[str, str]:
    api = api_of(request)
    principal = await api.principal(request)
    body = await api.json_body(request)
    return await run_in_threadpool(_create_job, api, principal, body)


def _create_job(api: Api, principal: Principal, body: dict[str, Any]) -> dict[str, str]:
    ids = [body[key] for key in ("program_id", "programId") if key in body]  # legacy: programId
    if not ids or not all(isinstance(given, str) for given in ids):
        raise ApiError(400, "program_id is required (a string)")
    program_id = ids[0]
    labels = {key: optional_label(body, key) for key in LABELS}
    backend = body.get("backend")
    if backend is None or backend == "":
        backend = DEFAULT_BACKEND
    if not isinstance(backend, str):
        offer = api.backends.offer
        raise ApiError(400, f"unknown backend {shown(backend)}: this service offers {offer}")
    try:
        api.backends.resolve(backend)  # the one parser: its message says why a name cannot work
    except InputValueError as exc:
        raise ApiError(400, str(exc)) from exc
    cost = body.get("cost")
    if cost is not None:
        cost = checked_cost(cost)
    version = body.get("version")
    if version is not None:
        version = checked_version(version)
    params = job_params(body.get("params", {}))
    program = api.visible_program(principal, program_id)
    chosen = api.store.program(program["id"], version)
    if chosen is None:
        raise ApiError(404, f"program {program_id} has no version {version!r}")
    version = chosen["version"]  # the job runs (and shows) the version that was latest now
    digest = chosen["data_digest"]
    own = api.environments.own_environment(
        digest, lambda: api.store.get_blob(digest), chosen["data_kind"]
    )
    schema = json.loads(chosen["spec"]).get("parameters")
    problems = input_problems(params, schema, decoded_elsewhere=own is not None)
    if problems:
        raise ApiError(400, "inputs do not match the program's parameters: " + "; ".join(problems))
    job_id = f"job-{random_id(16)}"
    stamp = now()
    with api.store.transaction() as db:
        seq = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM jobs").fetchone()[0]
        db.execute(
            "INSERT INTO jobs (id, owner, program_id, hub, grp, project, backend, params, "
            "runtime, log_level, cost, status, created, updated, seq, version) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                job_id,
                principal.id,
                program_id,
                labels["hub"],
                labels["group"],
                labels["project"],
                backend,
                json.dumps(params),
                labels["runtime"],
                labels["log_level"],
                cost,
                QUEUED,
                stamp,
                stamp,
                seq,
                version,
            ),
        )
    api.scheduler.submit(job_id)
    return {"id": job_id, "backend": backend}


@router.get("/jobs", **documented({200: json_answer("JobList")}, errors=(400, 401)))
def list_jobs(
    request: Request,
    limit: Limit = 20,
    offset: Offset = 0,
    pending: Pending = None,
    program: str | None = None,
) -> dict[str, Any]:
    api = api_of(request)
    principal = api.caller(request)
    scope, scope_args = api.job_scope(principal)
    clauses: list[str] = [scope]
    args: list[Any] = [*scope_args]
    if pending is not None:
        statuses = (QUEUED, RUNNING) if pending.lower() == "true" else FINAL_STATUSES
        clauses.append(f"status IN ({', '.join('?' for _ in statuses)})")
        args.extend(statuses)
    if program:
        clauses.append("program_id = ?")
        args.append(program)
    where = " AND ".join(clauses)
    total = api.store.count(f"SELECT COUNT(*) FROM jobs WHERE {where}", *args)
    rows = api.store.query(
        f"SELECT * FROM jobs WHERE {where} ORDER BY seq DESC LIMIT ? OFFSET ?",
        *args,
        limit,
        offset,
    )
    return {"jobs": [job_object(row) for row in rows], "count": total}


@router.get("/jobs/{job_id}", **documented({200: json_answer("Job")}, errors=(401, 404)))
def get_job(request: Request, job_id: str) -> dict[str, Any]:
    api = api_of(request)
    job = job_object(api.visible_job(api.caller(request), job_id))
    external = api.store.external_jobs(job_id)
    return {**job, "external_jobs": external} if external else job


@router.delete("/jobs/{job_id}", **documented(DONE, errors=(401, 404)))
def delete_job(request: Request, job_id: str) -> Response:
    api = api_of(request)
    delete_visible_job(api, api.caller(request), job_id)
    return Response(status_code=204)


@router.get(
    "/jobs/{job_id}/results",
    **documented(
        {
            200: text_answer("the result (RuntimeEncoder JSON), or the error and traceback"),
            204: {"description": "the job has not ended"},
        },
        errors=(401, 404),
    ),
)
def job_results(request: Request, job_id: str) -> Response:
    api = api_of(request)
    row = api.visible_job(api.caller(request), job_id)
    if row["status"] not in FINAL_STATUSES:
        return Response(status_code=204)
    text = row["result"] if row["status"] != CANCELLED else row["reason"]
    return PlainTextResponse(text or "")


@router.post("/jobs/{job_id}/cancel", **documented(DONE, errors=(401, 404, 409)))
def cancel_job(request: Request, job_id: str) -> Response:
    api = api_of(request)
    cancel_visible_job(api, api.caller(request), job_id)
    return Response(status_code=204)


@router.get(
    "/jobs/{job_id}/logs",
    **documented({200: text_answer("the program's stdout and stderr (so far)")}, errors=(401, 404)),
)
def job_logs(request: Request, job_id: str) -> Response:
    api = api_of(request)
    return PlainTextResponse(api.logs_so_far(api.visible_job(api.caller(request), job_id)))


@router.get(
    "/jobs/{job_id}/interim_results",
    **documented({200: INTERIM_ANSWER}, errors=(401, 404)),
)
def job_interim_results(request: Request, job_id: str) -> Response:
    api = api_of(request)
    api.visible_job(api.caller(request), job_id)
    return Response(api.interim_json(job_id), media_type="application/json")


def cancel_visible_job(api: Api, principal: Principal, job_id: str) -> None:
    """Cancel a job ``principal`` may see (409 if it has ended)."""
    row = api.visible_job(principal, job_id)
    if row["status"] in FINAL_STATUSES or not api.scheduler.cancel(job_id):
        raise ApiError(409, f"job {job_id} cannot be cancelled: it has ended")


def delete_visible_job(api: Api, principal: Principal, job_id: str) -> None:
    """Delete a job ``principal`` may see, cancelling it first if it has not ended."""
    api.visible_job(principal, job_id)
    api.scheduler.cancel(job_id)
    with api.store.transaction() as db:
        db.execute("DELETE FROM interim WHERE job_id = ?", (job_id,))
        db.execute("DELETE FROM jobs WHERE id = ?", (job_id,))


def job_object(row: Any) -> dict[str, Any]:
    """The legacy JobObj: ``status`` (P clients) and ``state`` (R clients)."""
    status = row["status"]
    state = (
        {"status": CANCELLED, "reason": "RAN TOO LONG"}
        if status == RAN_TOO_LONG
        else {"status": status, "reason": row["reason"] or ""}
    )
    return {
        "id": row["id"],
        "hub": row["hub"],
        "group": row["grp"],
        "project": row["project"],
        "backend": row["backend"],
        "status": status,
        "state": state,
        "params": json.loads(row["params"]),
        "program": {"id": row["program_id"]},
        "created": row["created"],
        "runtime": row["runtime"] or "",
        "log_level": row["log_level"],
        "cost": row["cost"],
        "version": row["version"],
        "seed": row["seed"],
    }


def job_params(params: Any) -> dict[str, Any]:
    """The inputs object from any legacy shape: an object, a JSON string, or a list of one."""
    if isinstance(params, list):
        params = params[0] if params else {}
    if isinstance(params, str):
        params = parse_json(params, "params (a JSON string)")
    if not isinstance(params, dict):
        raise ApiError(400, "params must be an object of program inputs")
    # Legacy ParameterNamespace sent its private attributes too; they are no inputs.
    return {key: value for key, value in params.items() if not key.startswith(_LEGACY_PRIVATE)}


def input_problems(
    params: dict[str, Any], schema: Any, *, decoded_elsewhere: bool = False
) -> list[str]:
    """What ``wire_schema.input_problems`` finds, ``None`` counting as not given (legacy
    clients send every unset parameter as null); ``decoded_elsewhere``: the program's own
    environment decodes its inputs (kept encoded: a legacy ``PauliSumOp`` is taken)."""
    from runtime_kit.wire_schema import input_label
    from runtime_kit.wire_schema import input_problems as problems_of

    given = {key: value for key, value in params.items() if value is not None}
    found = problems_of(given, schema, decoded_elsewhere=decoded_elsewhere)
    return [f"{input_label(p.keys)}: {p.message}" for p in found]
