"""A circuit job as qiskit-ibmq-provider's ``IBMQJob`` reads it (``api/rest/job.py``,
``job/ibmqjob.py``): ``id``, ``kind``, ``creationDate``, ``status`` (its API's names:
``ApiJobStatus``), ``backend.name``, ``name``, ``tags``, and ``error`` when it failed."""

from __future__ import annotations

import json
from typing import Any

from runtime_kit.service.core.store import (
    CANCELLED,
    COMPLETED,
    FAILED,
    FINAL_STATUSES,
    QUEUED,
    RAN_TOO_LONG,
    RUNNING,
)

#: The kind of a job being created: its Qobj goes to a URL (``ApiJobKind``).
OBJECT_STORAGE = "q-object-external-storage"
#: The kind of a submitted job: its result and Qobj come with the job.
INLINE = "q-object"
#: A job whose Qobj is not uploaded yet.
CREATING = "CREATING"
#: The provider's API status of each stored status.
API_STATUSES = {
    QUEUED: "QUEUED",
    RUNNING: "RUNNING",
    COMPLETED: "COMPLETED",
    CANCELLED: "CANCELLED",
    FAILED: "ERROR_RUNNING_JOB",
    RAN_TOO_LONG: "ERROR_RUNNING_JOB",
}


def api_status(status: str) -> str:
    return API_STATUSES[status]


def is_final(status: str) -> bool:
    return status in FINAL_STATUSES


def circuit_job_object(row: Any, *, with_data: bool = False) -> dict[str, Any]:
    """The job (a ``jobs`` row of kind ``circuits``) as the provider reads it; ``with_data``:
    also its Qobj (``qObject``) and, once it has completed, its result (``qObjectResult``)."""
    answer = _common(row, row["id"], api_status(row["status"]))
    answer["kind"] = INLINE
    if with_data:
        answer["qObject"] = json.loads(row["params"])["qobj"]
        if row["status"] == COMPLETED and row["result"]:
            answer["qObjectResult"] = json.loads(row["result"])
    if row["status"] in FINAL_STATUSES:
        answer["endDate"] = row["updated"]
    if row["status"] in (FAILED, RAN_TOO_LONG):
        reason = row["reason"] or (row["result"] or "").split("\n")[0] or "the job failed"
        answer["error"] = {"message": reason, "code": "ERROR_RUNNING_JOB"}
    return answer


def creating_job_object(row: Any) -> dict[str, Any]:
    """A job created and not submitted yet (a ``circuit_uploads`` row)."""
    return _common(row, row["job_id"], CREATING)


def client_info(header: str | None) -> dict[str, str]:
    """``{"name", "version"}`` from a client's ``X-Qx-Client-Application`` header
    (``qiskit-ibmq-provider,qiskit-terra/0.20.2,0.23.3``); the provider reads the job's
    client from it, and asks for the job again as long as it is empty."""
    name, _, rest = (header or "").partition("/")
    version = rest.split("/")[0]
    return {"name": name or "unknown", "version": version or "unknown"}


def _common(row: Any, job_id: str, status: str) -> dict[str, Any]:
    return {
        "id": job_id,
        "kind": OBJECT_STORAGE,
        "creationDate": row["created"],
        "status": status,
        "backend": {"name": row["backend"]},
        "name": row["name"],
        "tags": json.loads(row["tags"] or "[]"),
        "clientInfo": client_info(row["client"]),
        "hubInfo": {
            "hub": {"name": row["hub"]},
            "group": {"name": row["grp"]},
            "project": {"name": row["project"]},
        },
    }
