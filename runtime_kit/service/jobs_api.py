"""Routes of jobs: submit, list, get, delete, results, cancel, logs, interim results, and
the websocket stream (reference §4.2, §4.5)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request, Response, WebSocket, WebSocketDisconnect
from fastapi.responses import PlainTextResponse
from starlette.concurrency import run_in_threadpool

from runtime_kit.service.api import Api, ApiError, Limit, Offset, api_of
from runtime_kit.service.auth import Principal
from runtime_kit.service.backends import OFFERED, backend_spec
from runtime_kit.service.store import (
    CANCELLED,
    FINAL_STATUSES,
    QUEUED,
    RAN_TOO_LONG,
    RUNNING,
    now,
    random_id,
)
from runtime_kit.service.streams import GOING_AWAY, log_topic

_LEGACY_PRIVATE = "_ParameterNamespace__"

router = APIRouter()


@router.post("/jobs")
async def create_job(request: Request) -> dict[str, str]:
    api = api_of(request)
    body = await api.json_body(request)
    return await run_in_threadpool(_create_job, api, request, body)


def _create_job(api: Api, request: Request, body: dict[str, Any]) -> dict[str, str]:
    principal = api.caller(request)
    program_id = body.get("program_id", body.get("programId"))
    if not isinstance(program_id, str):
        raise ApiError(400, "program_id is required")
    program = api.visible_program(principal, program_id)
    backend = body.get("backend") or "aer_simulator"
    if not isinstance(backend, str) or backend_spec(backend) is None:
        raise ApiError(400, f"unknown backend {backend!r}: this service offers {OFFERED}")
    version = body.get("version")
    chosen = api.store.program(program["id"], None if version is None else str(version))
    if chosen is None:
        raise ApiError(404, f"program {program_id} has no version {version!r}")
    params = job_params(body.get("params", {}))
    problems = input_problems(params, json.loads(chosen["spec"]).get("parameters"))
    if problems:
        raise ApiError(400, "inputs do not match the program's parameters: " + "; ".join(problems))
    cost = body.get("cost")
    if cost is not None and (not isinstance(cost, int) or isinstance(cost, bool) or cost < 1):
        raise ApiError(400, "cost must be a positive integer (seconds)")
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
                _text(body.get("hub")),
                _text(body.get("group")),
                _text(body.get("project")),
                backend,
                json.dumps(params),
                _text(body.get("runtime")),
                _text(body.get("log_level")),
                cost,
                QUEUED,
                stamp,
                stamp,
                seq,
                None if version is None else str(version),
            ),
        )
    api.scheduler.submit(job_id)
    return {"id": job_id, "backend": backend}


@router.get("/jobs")
def list_jobs(
    request: Request,
    limit: Limit = 20,
    offset: Offset = 0,
    pending: str | None = None,
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
    total = api.store.query_one(f"SELECT COUNT(*) FROM jobs WHERE {where}", *args)[0]
    rows = api.store.query(
        f"SELECT * FROM jobs WHERE {where} ORDER BY seq DESC LIMIT ? OFFSET ?",
        *args,
        limit or 20,
        offset,
    )
    return {"jobs": [job_object(row) for row in rows], "count": total}


@router.get("/jobs/{job_id}")
def get_job(request: Request, job_id: str) -> dict[str, Any]:
    api = api_of(request)
    return job_object(api.visible_job(api.caller(request), job_id))


@router.delete("/jobs/{job_id}")
def delete_job(request: Request, job_id: str) -> Response:
    api = api_of(request)
    delete_visible_job(api, api.caller(request), job_id)
    return Response(status_code=204)


@router.get("/jobs/{job_id}/results")
def job_results(request: Request, job_id: str) -> Response:
    api = api_of(request)
    row = api.visible_job(api.caller(request), job_id)
    if row["status"] not in FINAL_STATUSES:
        return Response(status_code=204)
    text = row["result"] if row["status"] != CANCELLED else row["reason"]
    return PlainTextResponse(text or "")


@router.post("/jobs/{job_id}/cancel")
def cancel_job(request: Request, job_id: str) -> Response:
    api = api_of(request)
    cancel_visible_job(api, api.caller(request), job_id)
    return Response(status_code=204)


@router.get("/jobs/{job_id}/logs")
def job_logs(request: Request, job_id: str) -> Response:
    api = api_of(request)
    row = api.visible_job(api.caller(request), job_id)
    live = api.scheduler.live_logs(job_id) if row["status"] == RUNNING else None
    return PlainTextResponse(live if live is not None else row["logs"] or "")


@router.get("/jobs/{job_id}/interim_results")
def job_interim_results(request: Request, job_id: str) -> Response:
    api = api_of(request)
    api.visible_job(api.caller(request), job_id)
    texts = [text for _, text in api.store.interim_since(job_id, 0)]
    return Response("[" + ", ".join(texts) + "]", media_type="application/json")


@router.websocket("/stream/jobs/{job_id}")
async def stream_job(websocket: WebSocket, job_id: str, since: int = 0) -> None:
    """ACK, then each interim result after number ``since``, the final result, close 1000."""
    api = api_of(websocket)
    try:
        await run_in_threadpool(lambda: api.visible_job(api.caller(websocket), job_id))
    except ApiError as exc:
        await websocket.close(code=1008, reason=exc.message[:120])
        return
    await websocket.accept()
    messages = api.hub.subscribe(job_id)  # before reading the store: nothing falls between
    try:
        await websocket.send_text("ACK")
        row = await run_in_threadpool(
            api.store.query_one, "SELECT status FROM jobs WHERE id = ?", job_id
        )
        if row is None or row["status"] in FINAL_STATUSES:
            await websocket.close(code=1000)
            return
        last = since
        for number, text in await run_in_threadpool(api.store.interim_since, job_id, since):
            await websocket.send_text(text)
            last = number
        while True:
            number, text = await messages.get()
            if (number, text) == GOING_AWAY:
                await websocket.close(code=1001, reason="the service is shutting down")
                return
            if number is None:
                if text is not None:
                    await websocket.send_text(text)
                break
            if number > last and text is not None:
                await websocket.send_text(text)
                last = number
        await websocket.close(code=1000)
    except WebSocketDisconnect:
        pass
    finally:
        api.hub.unsubscribe(job_id, messages)


@router.websocket("/stream/jobs/{job_id}/logs")
async def stream_job_logs(websocket: WebSocket, job_id: str, since: int = 0) -> None:
    """The job's logs after character ``since`` as they come (text messages), close 1000
    when the job has ended (runtime-kit's own route; legacy clients poll ``/logs``)."""
    api = api_of(websocket)
    try:
        await run_in_threadpool(lambda: api.visible_job(api.caller(websocket), job_id))
    except ApiError as exc:
        await websocket.close(code=1008, reason=exc.message[:120])
        return
    await websocket.accept()
    chunks = api.hub.subscribe(log_topic(job_id))  # before reading: nothing falls between
    sent = max(since, 0)
    try:
        row = await run_in_threadpool(
            api.store.query_one, "SELECT status, logs FROM jobs WHERE id = ?", job_id
        )
        live = api.scheduler.live_logs(job_id)
        if row is None or (row["status"] in FINAL_STATUSES and live is None):
            await _send_from(websocket, (row["logs"] if row else "") or "", 0, sent)
            await websocket.close(code=1000)
            return
        sent = await _send_from(websocket, live or "", 0, sent)
        while True:
            offset, text = await chunks.get()
            if (offset, text) == GOING_AWAY:
                await websocket.close(code=1001, reason="the service is shutting down")
                return
            if offset is None:
                row = await run_in_threadpool(
                    api.store.query_one, "SELECT logs FROM jobs WHERE id = ?", job_id
                )
                await _send_from(websocket, (row["logs"] if row else "") or "", 0, sent)
                break
            sent = await _send_from(websocket, text or "", offset, sent)
        await websocket.close(code=1000)
    except WebSocketDisconnect:
        pass
    finally:
        api.hub.unsubscribe(log_topic(job_id), chunks)


async def _send_from(websocket: WebSocket, text: str, offset: int, sent: int) -> int:
    """Send the part of ``text`` (starting at character ``offset``) not sent yet."""
    tail = text[max(sent - offset, 0) :]
    if tail and offset + len(text) > sent:
        await websocket.send_text(tail)
        return offset + len(text)
    return sent


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
        try:
            params = json.loads(params)
        except json.JSONDecodeError as exc:
            raise ApiError(400, f"params is not valid JSON ({exc})") from exc
    if not isinstance(params, dict):
        raise ApiError(400, "params must be an object of program inputs")
    # Legacy ParameterNamespace sent its private attributes too; they are no inputs.
    return {key: value for key, value in params.items() if not key.startswith(_LEGACY_PRIVATE)}


def input_problems(params: dict[str, Any], schema: Any) -> list[str]:
    """What ``wire_schema.input_problems`` finds, ``None`` counting as not given (legacy
    clients send every unset parameter as null)."""
    from runtime_kit.wire_schema import input_label
    from runtime_kit.wire_schema import input_problems as problems_of

    given = {key: value for key, value in params.items() if value is not None}
    return [f"{input_label(p.keys)}: {p.message}" for p in problems_of(given, schema)]


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None
