"""qiskit-ibmq-provider's own job API (``backend.run(circuits)``, ``IBMQJob``): its routes under
an instance, ``/api/Network/{hub}/Groups/{group}/Projects/{project}/Jobs`` (the provider's
``api/rest/account.py`` and ``api/rest/job.py``).

The provider assembles the circuits into a Qobj and submits it in three calls: ``POST .../Jobs``
(the backend; the answer names an upload URL), ``PUT`` of the Qobj to that URL, ``POST
.../Jobs/{id}/jobDataUploaded``.  The job then runs like any program job, through the same
scheduler, sandbox, limits and quotas: it is a job of the internal ``qobj-runner`` program
(``runtime_kit/internal_programs``), which turns the Qobj into today's circuits and returns the
result as the legacy ``Result`` reads it.  The provider then follows the job's status (the
websocket of ``circuit_job_stream``, else ``.../status/v/1``), reads the result and the Qobj
from the job itself (``.../Jobs/{id}/v/1``: ``qObjectResult``, ``qObject``), and can cancel,
list (``.../Jobs/status/v/1`` with a LoopBack filter, ``job_filters``) and delete jobs.

A submitted job's kind is ``q-object`` (result and Qobj inline), not the object-storage kind
whose result the provider would download from a URL: qiskit-ibmq-provider 0.20.2 cannot
download (``session.get(url, bare=True)`` fails in its own ``RetrySession.request`` with
requests >= 2.28, which passes ``params=None``).  Only the upload goes to a URL, as the
provider always does it.

Circuit jobs are the provider's job API's only: the runtime routes (``/jobs``) do not list or
show them, and these routes show no program job.  A job is seen under the instance it was
submitted to, by its owner (and admins).
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import Request, Response
from starlette.concurrency import run_in_threadpool

from runtime_kit.errors import InputValueError
from runtime_kit.service.core.admission import Cost
from runtime_kit.service.core.auth import Principal
from runtime_kit.service.core.instances import Instance
from runtime_kit.service.core.internal_programs import QOBJ_RUNNER
from runtime_kit.service.core.store import CIRCUITS_JOB, now, random_id
from runtime_kit.service.http.account_api import PROJECT_PATH
from runtime_kit.service.http.api import MAX_LABEL_CHARS, Api, ApiError, api_of, parse_json, shown
from runtime_kit.service.http.api_schemas import DONE, documented, json_answer
from runtime_kit.service.http.circuit_job_objects import circuit_job_object, creating_job_object
from runtime_kit.service.http.job_filters import FilterError, read_filter
from runtime_kit.service.http.jobs_api import (
    NewJob,
    cancel_visible_job,
    delete_visible_job,
    submit_job,
)
from runtime_kit.service.http.routing import api_router

JOBS = f"{PROJECT_PATH}/Jobs"
JOB = f"{JOBS}/{{job_id}}"
#: Tags a job may carry.
MAX_TAGS = 100
#: A job created and never submitted (its client went away between the calls) is forgotten
#: when a job is created this long after it.
STALE_UPLOAD_S = 24 * 3600

router = api_router()


# --- submit: create, upload the Qobj, say it is uploaded ------------------------------------


@router.post(
    JOBS,
    **documented(
        {200: json_answer("CircuitJob")}, errors=(400, 401, 404, 413), body="CircuitJobCreate"
    ),
)
async def create_circuit_job(
    request: Request, hub: str, group: str, project: str
) -> dict[str, Any]:
    api = api_of(request)
    principal = await api.principal(request)
    instance = _instance_of(api, principal, hub, group, project)
    body = await api.json_body(request)
    client = request.headers.get("x-qx-client-application", "")[:MAX_LABEL_CHARS]
    return await run_in_threadpool(
        _create, api, principal, instance, body, str(request.url), client
    )


def _offered(api: Api, name: str) -> bool:
    try:
        return api.backends.find(name) is not None
    except InputValueError:
        return False


def _create(
    api: Api,
    principal: Principal,
    instance: Instance,
    body: dict[str, Any],
    url: str,
    client: str,
) -> dict[str, Any]:
    backend = body.get("backend")
    name = backend.get("name") if isinstance(backend, dict) else None
    if not isinstance(name, str) or not _offered(api, name):
        raise ApiError(400, f"backend.name: not a backend of this service: {shown(name)}")
    if body.get("allowObjectStorage") is False:
        raise ApiError(400, "allowObjectStorage: this service takes the Qobj by upload only")
    if body.get("experimentTag") is not None:
        raise ApiError(400, "experimentTag: experiments are not kept by this service")
    job_name = body.get("name")
    if job_name is not None and (not isinstance(job_name, str) or len(job_name) > MAX_LABEL_CHARS):
        raise ApiError(400, f"name must be a string of at most {MAX_LABEL_CHARS} characters")
    tags = _tags(body.get("tags", []))
    job_id = f"job-{random_id(16)}"
    created = now()
    stale = now(datetime.now(UTC) - timedelta(seconds=STALE_UPLOAD_S))
    with api.store.transaction() as db:
        db.execute("DELETE FROM circuit_uploads WHERE created < ?", (stale,))
        db.execute(
            "INSERT INTO circuit_uploads (job_id, owner, hub, grp, project, backend, name, tags, "
            "client, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (job_id, principal.id, *instance, name, job_name, json.dumps(tags), client, created),
        )
    pending = api.store.query_one("SELECT * FROM circuit_uploads WHERE job_id = ?", job_id)
    answer = creating_job_object(pending)
    answer["objectStorageInfo"] = {
        "uploadUrl": f"{url.split('?', maxsplit=1)[0].rstrip('/')}/{job_id}/qobj"
    }
    return answer


@router.put(f"{JOB}/qobj", **documented(DONE, errors=(400, 401, 404, 409, 413), body="Qobj"))
async def upload_qobj(
    request: Request, hub: str, group: str, project: str, job_id: str
) -> Response:
    api = api_of(request)
    principal = await api.principal(request)
    instance = _instance_of(api, principal, hub, group, project)
    body = await api.body(request, api.max_body_bytes)  # a Qobj: the caller is known
    await run_in_threadpool(_upload, api, principal, instance, job_id, body)
    return Response(status_code=204)


def _upload(api: Api, principal: Principal, instance: Instance, job_id: str, body: bytes) -> None:
    _pending(api, principal, instance, job_id)
    qobj = parse_json(body, "Qobj")
    _check_qobj(qobj)
    text = json.dumps(qobj)
    with api.store.transaction() as db:
        api.admission.check_room(db, principal.id, len(text))  # stored until submitted
        db.execute("UPDATE circuit_uploads SET qobj = ? WHERE job_id = ?", (text, job_id))


@router.post(
    f"{JOB}/jobDataUploaded",
    **documented({200: json_answer("CircuitJobSubmitted")}, errors=(400, 401, 404, 409)),
)
def job_data_uploaded(
    request: Request, hub: str, group: str, project: str, job_id: str
) -> dict[str, Any]:
    api = api_of(request)
    principal = api.caller(request)
    instance = _instance_of(api, principal, hub, group, project)
    pending = _pending(api, principal, instance, job_id)
    if pending["qobj"] is None:
        raise ApiError(400, f"job {job_id} has no Qobj yet: upload it to its uploadUrl first")
    params = '{"qobj": ' + pending["qobj"] + ", " + f'"job_id": {json.dumps(job_id)}' + "}"
    job = NewJob(
        owner=pending["owner"],
        program_id=QOBJ_RUNNER,
        instance=instance,
        backend=pending["backend"],
        params=params,
        kind=CIRCUITS_JOB,
        name=pending["name"],
        tags=pending["tags"],
        client=pending["client"],
    )
    with api.store.transaction() as db:
        # the quotas first: a refused job keeps its upload (submit_job checks them again)
        api.admission.check(db, job.owner, Cost(jobs=1))
        if not db.execute("DELETE FROM circuit_uploads WHERE job_id = ?", (job_id,)).rowcount:
            raise ApiError(409, f"job {job_id} was submitted already")
    submit_job(api, job, job_id)
    return {"job": circuit_job_object(_job(api, principal, instance, job_id))}


# --- follow: the job, its status, its result and Qobj ---------------------------------------


@router.get(
    f"{JOBS}/status/v/1", **documented({200: json_answer("CircuitJobs")}, errors=(400, 401, 404))
)
def list_circuit_jobs(
    request: Request, hub: str, group: str, project: str, filter: str | None = None
) -> list[dict[str, Any]]:
    api = api_of(request)
    principal = api.caller(request)
    instance = _instance_of(api, principal, hub, group, project)
    try:
        page = read_filter(filter)
    except FilterError as exc:
        raise ApiError(400, str(exc)) from exc
    scope, args = api.job_scope(principal, CIRCUITS_JOB)
    order = "DESC" if page.descending else "ASC"
    rows = api.store.query(
        f"SELECT * FROM jobs WHERE {scope} AND hub = ? AND grp = ? AND project = ? "
        f"AND ({page.where}) ORDER BY seq {order} LIMIT ? OFFSET ?",
        *args,
        *instance,
        *page.args,
        page.limit,
        page.skip,
    )
    return [circuit_job_object(row) for row in rows]


@router.get(f"{JOB}/v/1", **documented({200: json_answer("CircuitJob")}, errors=(401, 404)))
def get_circuit_job(
    request: Request, hub: str, group: str, project: str, job_id: str
) -> dict[str, Any]:
    api, principal, instance = _context(request, hub, group, project)
    try:
        return circuit_job_object(_job(api, principal, instance, job_id), with_data=True)
    except ApiError:
        return creating_job_object(_pending(api, principal, instance, job_id))


@router.get(f"{JOB}/status/v/1", **documented({200: json_answer("CircuitJob")}, errors=(401, 404)))
def circuit_job_status(
    request: Request, hub: str, group: str, project: str, job_id: str
) -> dict[str, Any]:
    api, principal, instance = _context(request, hub, group, project)
    job = _job_or_pending(api, principal, instance, job_id)
    return {key: job[key] for key in ("id", "status", "creationDate", "kind") if key in job}


# --- end: cancel, delete --------------------------------------------------------------------


@router.post(f"{JOB}/cancel", **documented({200: json_answer("Cancelled")}, errors=(401, 404)))
def cancel_circuit_job(
    request: Request, hub: str, group: str, project: str, job_id: str
) -> dict[str, Any]:
    api, principal, instance = _context(request, hub, group, project)
    if _drop_pending(api, principal, instance, job_id):
        return {"cancelled": True}
    _job(api, principal, instance, job_id)
    try:
        cancel_visible_job(api, principal, job_id, CIRCUITS_JOB)
    except ApiError as exc:
        if exc.status != 409:
            raise
        return {"cancelled": False, "reason": exc.message}
    return {"cancelled": True}


@router.delete(JOB, **documented(DONE, errors=(401, 404)))
def delete_circuit_job(
    request: Request, hub: str, group: str, project: str, job_id: str
) -> Response:
    api, principal, instance = _context(request, hub, group, project)
    if not _drop_pending(api, principal, instance, job_id):
        _job(api, principal, instance, job_id)
        delete_visible_job(api, principal, job_id, CIRCUITS_JOB)
    return Response(status_code=204)


# --- helpers --------------------------------------------------------------------------------


def _context(
    request: Request, hub: str, group: str, project: str
) -> tuple[Api, Principal, Instance]:
    api = api_of(request)
    principal = api.caller(request)
    return api, principal, _instance_of(api, principal, hub, group, project)


def _instance_of(api: Api, principal: Principal, hub: str, group: str, project: str) -> Instance:
    instance = Instance(hub, group, project)
    if instance not in api.instances_of(principal):
        raise ApiError(404, f"no such hub/group/project: {instance}")
    return instance


def _job(api: Api, principal: Principal, instance: Instance, job_id: str) -> sqlite3.Row:
    """A circuit job the caller may see, submitted under ``instance``; 404 otherwise."""
    row = api.visible_job(principal, job_id, CIRCUITS_JOB)
    if Instance(row["hub"], row["grp"], row["project"]) != instance:
        raise ApiError(404, f"job not found: {job_id}")
    return row


def _pending(api: Api, principal: Principal, instance: Instance, job_id: str) -> sqlite3.Row:
    """A job the caller created under ``instance`` and has not submitted yet; 409 if the
    caller's job was submitted already, 404 if there is no such job for the caller."""
    row = api.store.query_one("SELECT * FROM circuit_uploads WHERE job_id = ?", job_id)
    if (
        row is not None
        and (row["owner"] == principal.id or principal.is_admin)
        and Instance(row["hub"], row["grp"], row["project"]) == instance
    ):
        return row
    _job(api, principal, instance, job_id)  # 404 unless the caller's job, submitted
    raise ApiError(409, f"job {job_id} was submitted already")


def _drop_pending(api: Api, principal: Principal, instance: Instance, job_id: str) -> bool:
    """Forget a job not submitted yet (the provider cancels one whose upload failed)."""
    try:
        _pending(api, principal, instance, job_id)
    except ApiError:
        return False
    with api.store.transaction() as db:
        db.execute("DELETE FROM circuit_uploads WHERE job_id = ?", (job_id,))
    return True


def _job_or_pending(
    api: Api, principal: Principal, instance: Instance, job_id: str
) -> dict[str, Any]:
    try:
        return circuit_job_object(_job(api, principal, instance, job_id))
    except ApiError:
        return creating_job_object(_pending(api, principal, instance, job_id))


def _tags(tags: Any) -> list[str]:
    if not isinstance(tags, list) or len(tags) > MAX_TAGS:
        raise ApiError(400, f"tags must be a list of at most {MAX_TAGS} strings")
    for tag in tags:
        if not isinstance(tag, str) or not tag or len(tag) > MAX_LABEL_CHARS:
            raise ApiError(400, f"tags: each is a string of 1 to {MAX_LABEL_CHARS} characters")
    return list(tags)


def _check_qobj(qobj: Any) -> None:
    """The shape the job needs (the job itself reads every instruction, naming a bad one)."""
    if not isinstance(qobj, dict):
        raise ApiError(400, "the Qobj must be a JSON object")
    if qobj.get("type", "QASM") != "QASM":
        raise ApiError(
            400, f"only QASM Qobjs run here (pulse jobs do not): {shown(qobj.get('type'))}"
        )
    experiments = qobj.get("experiments")
    if not isinstance(experiments, list) or not experiments:
        raise ApiError(400, "the Qobj has no experiments (a non-empty list)")
    for index, experiment in enumerate(experiments):
        if not isinstance(experiment, dict) or not isinstance(experiment.get("instructions"), list):
            raise ApiError(400, f"experiment {index} of the Qobj has no list of instructions")
    if not isinstance(qobj.get("config", {}), dict):
        raise ApiError(400, "the Qobj's config must be an object")
