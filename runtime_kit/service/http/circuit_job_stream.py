"""The status websocket of a circuit job, as qiskit-ibmq-provider's ``WebsocketClient`` follows
it while ``IBMQJob.result()`` waits (``api/clients/websocket.py``): at
``<urls.ws>/jobs/{id}/status/v/1``, ``urls.ws`` being ``/api/ws`` of ``/api/users/me``.

The client sends ``{"type": "authentication", "data": <access token>}``; the service answers
``{"type": "authenticated"}``, then ``{"type": "job-status", "data": {"id", "status", ...}}``
now and at each change of the job's status, and closes with 4002 once the status is final
(the client closes on a final status itself).  A bad token closes with 4001 before the
answer (the client then polls ``.../status/v/1``); a job the caller cannot see, 4003.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from starlette.concurrency import run_in_threadpool

from runtime_kit.service.core.store import CIRCUITS_JOB
from runtime_kit.service.core.streams import GOING_AWAY, STATUS_TOPIC
from runtime_kit.service.http.api import Api, ApiError, api_of
from runtime_kit.service.http.circuit_job_objects import circuit_job_object, is_final

AUTHENTICATION_FAILED, JOB_DONE, JOB_NOT_FOUND = 4001, 4002, 4003
GOING_AWAY_CODE = 1001
#: Seconds the client has to send its authentication message.
AUTHENTICATION_TIMEOUT_S = 30.0

router = APIRouter()


@router.websocket("/api/ws/jobs/{job_id}/status/v/1")
async def circuit_job_status_stream(websocket: WebSocket, job_id: str) -> None:
    await websocket.accept()
    api = api_of(websocket)
    queue = api.hub.subscribe(STATUS_TOPIC)  # before the first read: no change falls between
    try:
        await _serve(websocket, api, job_id, queue)
    except WebSocketDisconnect:
        return
    finally:
        api.hub.unsubscribe(STATUS_TOPIC, queue)


async def _serve(websocket: WebSocket, api: Api, job_id: str, queue: Any) -> None:
    try:
        token = await asyncio.wait_for(_token(websocket), AUTHENTICATION_TIMEOUT_S)
        principal = await run_in_threadpool(api.tokens.authenticate, token or "")
    except (TimeoutError, ValueError):
        principal = None
    if principal is None:
        await websocket.close(AUTHENTICATION_FAILED, "authentication failed")
        return
    await websocket.send_text(json.dumps({"type": "authenticated"}))
    while True:
        try:
            row = await run_in_threadpool(api.visible_job, principal, job_id, CIRCUITS_JOB)
        except ApiError:
            await websocket.close(JOB_NOT_FOUND, f"job not found: {job_id}")
            return
        job = circuit_job_object(row)
        status = {key: job[key] for key in ("id", "status", "creationDate") if key in job}
        await websocket.send_text(json.dumps({"type": "job-status", "data": status}))
        if is_final(row["status"]):
            await websocket.close(JOB_DONE, "the job has ended")
            return
        while True:  # until this job's status changes
            message = await queue.get()
            if message == GOING_AWAY:
                await websocket.close(GOING_AWAY_CODE, "the service is shutting down")
                return
            if message[1] == job_id:
                break


async def _token(websocket: WebSocket) -> str | None:
    message = json.loads(await websocket.receive_text())
    if not isinstance(message, dict) or message.get("type") != "authentication":
        return None
    token = message.get("data")
    return token if isinstance(token, str) else None
