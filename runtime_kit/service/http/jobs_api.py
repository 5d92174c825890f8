"""Routes of jobs: submit, list, get, delete, results, cancel, logs, interim results
(reference §4.2); their websocket streams are in ``streams_api``."""

from __future__ import annotations

import json
import time
from typing import Annotated, Any, NamedTuple

from fastapi import Query, Request, Response
from fastapi.responses import PlainTextResponse
from starlette.concurrency import run_in_threadpool

from runtime_kit.errors import InputValueError
from runtime_kit.harness.backends import DEFAULT_BACKEND
from runtime_kit.service.core.admission import Cost
from runtime_kit.service.core.auth import Principal
from runtime_kit.service.core.instances import INSTANCE, Instance
from runtime_kit.service.core.store import (
    CANCELLED,
    FINAL_STATUSES,
    PROGRAM_JOB,
    QUEUED,
    RAN_TOO_LONG,
    RUNNING,
    now,
    random_id,
)
from runtime_kit.service.core.streams import log_topic
from runtime_kit.service.http.api import (
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
from runtime_kit.service.http.api_schemas import (
    DONE,
    JOB_LINKS,
    documented,
    json_answer,
    text_answer,
)
from runtime_kit.service.http.field_limits import page_within
from runtime_kit.service.http.programs_api import checked_version
from runtime_kit.service.http.routing import api_router

_LEGACY_PRIVATE = "_ParameterNamespace__"
#: How long a cancel waits for the job's streams to send their close frames (a client that
#: does not read its stream cannot hold the cancel longer).
STREAMS_CLOSED_WAIT_S = 1.0
#: ... and then how long it gives a client's reader to take the close frame (only when some
#: stream was open).
STREAM_READER_GRACE_S = 0.05
#: Free-text fields of a job, kept as sent (a string or null).
LABELS = ("hub", "group", "project", "runtime", "log_level")

#: ``provider=HUB/GROUP/PROJECT``: the jobs that ran under that instance (qiskit-ibm-runtime's
#: ``jobs(instance=...)``).
Provider = Annotated[
    str | None,
    Query(pattern=f"^{INSTANCE}$", description="the jobs of one instance: HUB/GROUP/PROJECT"),
]

#: A JSON array of the interim results so far (each as the program published it).
INTERIM_ANSWER = {
    "description": "the interim results so far",
    "content": {"application/json": {"schema": {"type": "array"}}},
}

router = api_router()


@router.post(
    "/jobs",
    **documented(
        {200: json_answer("JobCreated", links=JOB_LINKS)},
        errors=(400, 401, 403, 404, 409, 413),
        body="JobCreate",
    ),
)
async def create_job(request: Request) -> dict[str, str]:
    api = api_of(request)
    principal = await api.principal(request)  # a large body only once the caller is known
    body = await api.json_body(request, api.max_body_bytes)
    return await run_in_threadpool(_create_job, api, principal, body)


def _create_job(api: Api, principal: Principal, body: dict[str, Any]) -> dict[str, str]:
    ids = [body[key] for key in ("program_id", "programId") if key in body]  # legacy: programId
    if not ids or not all(isinstance(given, str) for given in ids):
        raise ApiError(400, "program_id is required (a string)")
    program_id = ids[0]
    labels = {key: optional_label(body, key) for key in LABELS}
    labels["log_level"] = checked_log_level(labels["log_level"])
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
    instance = job_instance(api, principal, labels)
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
    job = NewJob(
        owner=principal.id,
        program_id=program["id"],
        instance=instance,
        backend=backend,
        params=json.dumps(params),
        runtime=labels["runtime"],
        log_level=labels["log_level"],
        cost=cost,
        version=version,
    )
    return {"id": submit_job(api, job), "backend": backend}


class NewJob(NamedTuple):
    """What a job is submitted with (``submit_job``)."""

    owner: str
    program_id: str
    instance: Instance
    backend: str
    params: str  # the inputs: wire-format JSON text
    runtime: str | None = None
    log_level: str | None = None
    cost: int | None = None
    version: str | None = None
    kind: str = PROGRAM_JOB
    name: str | None = None
    tags: str | None = None  # a JSON list of strings
    client: str | None = None  # what submitted it (a client's name/version header)


def submit_job(api: Api, job: NewJob, job_id: str | None = None) -> str:
    """Store ``job`` (QUEUED) once its owner's quotas admit it (``admission``: 429 or 413
    naming the quota otherwise) and hand it to the scheduler; its id (``job_id`` if given)."""
    job_id = job_id or f"job-{random_id(16)}"
    stamp = now()
    with api.admission.admitted(job.owner, Cost(jobs=1, stored_bytes=len(job.params))) as db:
        seq = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM jobs").fetchone()[0]
        db.execute(
            "INSERT INTO jobs (id, owner, program_id, hub, grp, project, backend, params, "
            "runtime, log_level, cost, status, created, updated, seq, version, kind, name, tags, "
            "client) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                job_id,
                job.owner,
                job.program_id,
                *job.instance,
                job.backend,
                job.params,
                job.runtime,
                job.log_level,
                job.cost,
                QUEUED,
                stamp,
                stamp,
                seq,
                job.version,
                job.kind,
                job.name,
                job.tags,
                job.client,
            ),
        )
    api.scheduler.submit(job_id, job.owner)
    return job_id


def checked_log_level(level: str | None) -> str | None:
    """A job's ``log_level``: a ``logging`` level name in any case (as the legacy clients
    check it), kept in capitals; a 400 otherwise."""
    from runtime_kit.harness.job_logging import LEVELS

    if level is None or level == "":
        return None
    if level.upper() not in LEVELS:
        raise ApiError(400, f"log_level must be one of {', '.join(LEVELS)}: {shown(level, 40)}")
    return level.upper()


def job_instance(api: Api, principal: Principal, labels: dict[str, str | None]) -> Instance:
    """The instance a job runs under: the one its ``hub``, ``group`` and ``project`` name
    (all three, one of the caller's), else the caller's default."""
    given = [labels[key] or None for key in ("hub", "group", "project")]
    mine = api.instances_of(principal)
    if given == [None, None, None]:
        if not mine:
            raise ApiError(403, "this token has no instance (hub/group/project) to run under")
        return mine[0]
    if None in given:
        raise ApiError(400, "hub, group and project name an instance together: give all three")
    instance = Instance(*(str(part) for part in given))
    if instance not in mine:
        raise ApiError(
            403,
            f"this token may not run under {instance} "
            f"(its instances: {', '.join(map(str, mine)) or 'none'})",
        )
    return instance


@router.get("/jobs", **documented({200: json_answer("JobList")}, errors=(400, 401, 409)))
def list_jobs(
    request: Request,
    limit: Limit = 20,
    offset: Offset = 0,
    pending: Pending = None,
    program: str | None = None,
    provider: Provider = None,
) -> dict[str, Any]:
    api = api_of(request)
    principal = api.caller(request)
    scope, scope_args = api.job_scope(principal, PROGRAM_JOB)
    clauses: list[str] = [scope]
    args: list[Any] = [*scope_args]
    if provider is not None:
        clauses.append("hub = ? AND grp = ? AND project = ?")
        args.extend(Instance.parse(provider))
    if pending is not None:
        statuses = (QUEUED, RUNNING) if pending.lower() == "true" else FINAL_STATUSES
        clauses.append(f"status IN ({', '.join('?' for _ in statuses)})")
        args.extend(statuses)
    if program:
        clauses.append("program_id IN (?, ?)")
        args.extend((program, program_filter(api, principal, program)))
    where = " AND ".join(clauses)
    total = api.store.count(f"SELECT COUNT(*) FROM jobs WHERE {where}", *args)
    rows = api.store.query(
        f"SELECT * FROM jobs WHERE {where} ORDER BY seq DESC LIMIT ? OFFSET ?",
        *args,
        limit,
        offset,
    )
    rows = page_within(rows, lambda row: len(row["params"]))
    return {"jobs": [job_object(row) for row in rows], "count": total}


@router.get("/jobs/{job_id}", **documented({200: json_answer("Job")}, errors=(401, 404)))
def get_job(request: Request, job_id: str) -> dict[str, Any]:
    api = api_of(request)
    job = job_object(api.visible_job(api.caller(request), job_id, PROGRAM_JOB))
    external = api.store.external_jobs(job_id)
    return {**job, "external_jobs": external} if external else job


@router.delete("/jobs/{job_id}", **documented(DONE, errors=(401, 404)))
def delete_job(request: Request, job_id: str) -> Response:
    api = api_of(request)
    delete_visible_job(api, api.caller(request), job_id, PROGRAM_JOB)
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
    row = api.visible_job(api.caller(request), job_id, PROGRAM_JOB)
    if row["status"] not in FINAL_STATUSES:
        return Response(status_code=204)
    text = row["result"] if row["status"] != CANCELLED else row["reason"]
    return PlainTextResponse(text or "")


@router.post("/jobs/{job_id}/cancel", **documented(DONE, errors=(401, 404, 409)))
def cancel_job(request: Request, job_id: str) -> Response:
    api = api_of(request)
    cancel_visible_job(api, api.caller(request), job_id, PROGRAM_JOB)
    return Response(status_code=204)


@router.get(
    "/jobs/{job_id}/logs",
    **documented({200: text_answer("the program's stdout and stderr (so far)")}, errors=(401, 404)),
)
def job_logs(request: Request, job_id: str) -> Response:
    api = api_of(request)
    principal = api.caller(request)
    job = api.visible_job(principal, job_id, PROGRAM_JOB)
    with api.expensive(principal):  # up to --max-log-mib
        return PlainTextResponse(api.logs_so_far(job))


@router.get(
    "/jobs/{job_id}/interim_results",
    **documented({200: INTERIM_ANSWER}, errors=(401, 404)),
)
def job_interim_results(request: Request, job_id: str) -> Response:
    api = api_of(request)
    principal = api.caller(request)
    api.visible_job(principal, job_id, PROGRAM_JOB)
    with api.expensive(principal):  # up to --max-interim-mib
        return Response(api.interim_json(job_id), media_type="application/json")


def cancel_visible_job(
    api: Api, principal: Principal, job_id: str, kind: str | None = None
) -> None:
    """Cancel a job ``principal`` may see (of ``kind``, if given; 409 if it has ended), and
    return once its streams have sent their close frames (up to ``STREAMS_CLOSED_WAIT_S``),
    and ``STREAM_READER_GRACE_S`` more if there were any.

    qiskit-ibmq-provider stops streaming when its cancel returns, closing the websocket from
    another thread than the one reading it: if that close takes the service's close frame,
    the reader never sees it (it waits out a 10 s select, and the stream's close code stays
    unknown).  Closed first, with a moment for the reader to take the frame, the stream ends
    as the service said."""
    row = api.visible_job(principal, job_id, kind)
    if row["status"] in FINAL_STATUSES or not api.scheduler.cancel(job_id):
        raise ApiError(409, f"job {job_id} cannot be cancelled: it has ended")
    if api.hub.wait_unwatched([job_id, log_topic(job_id)], STREAMS_CLOSED_WAIT_S):
        time.sleep(STREAM_READER_GRACE_S)


def delete_visible_job(
    api: Api, principal: Principal, job_id: str, kind: str | None = None
) -> None:
    """Delete a job ``principal`` may see (of ``kind``, if given), cancelling it first if it
    has not ended."""
    api.visible_job(principal, job_id, kind)
    api.scheduler.cancel(job_id)
    with api.store.transaction() as db:
        db.execute("DELETE FROM interim WHERE job_id = ?", (job_id,))
        db.execute("DELETE FROM jobs WHERE id = ?", (job_id,))


def program_filter(api: Api, principal: Principal, program: str) -> str:
    """The id of the program a jobs filter names: ``program`` itself (an id: also a deleted
    program's), or the id of the program of that name (``Api.visible_program``)."""
    try:
        return str(api.visible_program(principal, program)["id"])
    except ApiError as exc:
        if exc.status == 404:
            return program
        raise


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
