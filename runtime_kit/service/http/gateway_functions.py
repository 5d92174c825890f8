"""Qiskit Functions as the service keeps them: programs whose spec has a ``function`` part.

A function uploaded through the gateway API is a program of its uploader (private to them and
to admins, like any program), named by its title (``provider.title`` when it has a provider):
its working directory is the program's zip bundle (``runtime_kit.functions.artifact``), its
``arguments_schema`` the spec's ``parameters``, and ``spec.function`` holds the rest of what
``QiskitFunction`` carries (entrypoint, dependencies, provider, title, version).  Its jobs are
the service's jobs: same queue, limits, sandbox, environments, web view.
"""

from __future__ import annotations

import json
import re
from typing import Any

from runtime_kit.functions.project import TITLE
from runtime_kit.service.core.admission import Cost
from runtime_kit.service.core.auth import Principal
from runtime_kit.service.core.store import (
    CANCELLED,
    COMPLETED,
    FAILED,
    QUEUED,
    RAN_TOO_LONG,
    RUNNING,
    now,
    random_id,
)
from runtime_kit.service.http.api import Api, ApiError, shown

#: Our job states as the gateway names them (the client maps them on: SUCCEEDED -> DONE...).
GATEWAY_STATUS = {
    QUEUED: "QUEUED",
    RUNNING: "RUNNING",
    COMPLETED: "SUCCEEDED",
    FAILED: "FAILED",
    CANCELLED: "STOPPED",
    RAN_TOO_LONG: "FAILED",
}
#: What a ``status`` filter of the jobs list means here.
STATUS_FILTER = {
    "QUEUED": (QUEUED,),
    "PENDING": (QUEUED,),
    "RUNNING": (RUNNING,),
    "SUCCEEDED": (COMPLETED,),
    "FAILED": (FAILED, RAN_TOO_LONG),
    "STOPPED": (CANCELLED,),
}
#: The SQL condition on ``program_rows`` of a function.
IS_FUNCTION = "json_extract(spec, '$.function') IS NOT NULL"
_TITLE = re.compile(TITLE)


def checked_title(value: Any, what: str = "title") -> str:
    if not isinstance(value, str) or not _TITLE.fullmatch(value):
        raise ApiError(
            400, f"invalid {what} {shown(value)}: letters, digits, '_' and '-', at most 64"
        )
    return value


def title_and_provider(title: Any, provider: Any) -> tuple[str, str | None]:
    """``title`` and ``provider`` as the client sends them (``provider/title`` also)."""
    if isinstance(title, str) and "/" in title:
        given, _, title = title.partition("/")
        if provider not in (None, "", given):
            raise ApiError(400, f"two providers given: {shown(provider)} and {shown(given)}")
        provider = given
    if provider in (None, ""):
        return checked_title(title), None
    return checked_title(title), checked_title(provider, "provider")


def program_name(title: str, provider: str | None) -> str:
    return title if provider is None else f"{provider}.{title}"


def find_function(
    api: Api, principal: Principal, title: str, provider: str | None
) -> dict[str, Any]:
    """The function ``principal`` may run: theirs, else a public one (an admin's choice);
    404 in the gateway's words when there is none."""
    scope, args = api.program_scope(principal)
    rows = api.store.query(
        f"SELECT * FROM program_rows WHERE name = ? AND {IS_FUNCTION} AND {scope} "
        "ORDER BY owner = ? DESC, seq LIMIT 1",
        program_name(title, provider),
        *args,
        principal.id,
    )
    if not rows:
        shown_title = title if provider is None else f"{provider}/{title}"
        raise ApiError(404, f"Qiskit Function [{shown_title}] doesn't exist.")
    return dict(rows[0])


def store_function(
    api: Api,
    principal: Principal,
    function: dict[str, Any],
    schema: Any,
    bundle: bytes,
    description: str,
) -> dict[str, Any]:
    """Create the function, or give its existing one the new files and fields (a new version
    when ``function["version"]`` names one it does not have); the stored row."""
    name = program_name(function["title"], function["provider"])
    spec = json.dumps(
        {"parameters": schema, "function": function}
        if schema is not None
        else {"function": function}
    )
    cost = api.limits.max_execution_time_s
    version = function["version"] or "0"
    stored = Cost(stored_bytes=len(bundle) + len(spec.encode()) + len(description.encode()))
    with api.store.new_blob(bundle) as digest, api.admission.admitted(principal.id, stored) as db:
        row = db.execute(
            "SELECT id, version FROM programs WHERE owner = ? AND name = ?", (principal.id, name)
        ).fetchone()
        stamp = now()
        seq = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM programs").fetchone()[0]
        if row is None:
            program_id = f"{name}-{random_id(10)}"
            db.execute(
                "INSERT INTO programs (id, owner, name, description, is_public, creation_date, "
                "update_date, seq, version) VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?)",
                (program_id, principal.id, name, description, stamp, stamp, seq, version),
            )
        else:
            program_id = row["id"]
            version = function["version"] or row["version"]
            db.execute(
                "UPDATE programs SET description = ?, update_date = ?, version = ? WHERE id = ?",
                (description, stamp, version, program_id),
            )
        db.execute(
            "INSERT INTO program_versions (program_id, version, data_digest, data_kind, "
            "data_bytes, spec, cost, created, seq) VALUES (?, ?, ?, 'zip', ?, ?, ?, ?, ?) "
            "ON CONFLICT (program_id, version) DO UPDATE SET data_digest = excluded.data_digest, "
            "data_kind = 'zip', data_bytes = excluded.data_bytes, spec = excluded.spec, "
            "cost = excluded.cost",
            (program_id, version, digest, len(bundle), spec, cost, stamp, seq),
        )
    api.store.remove_unused_blobs()
    row = api.store.program(program_id)
    assert row is not None  # just written
    return row


def function_object(row: dict[str, Any]) -> dict[str, Any]:
    """The function as the gateway shows it (``QiskitFunction.from_json`` reads it)."""
    spec = json.loads(row["spec"])
    function = spec["function"]
    schema = spec.get("parameters")
    return {
        "id": row["id"],
        "title": function["title"],
        "entrypoint": function["entrypoint"],
        "artifact": None,
        "dependencies": function["dependencies"],
        "provider": function["provider"],
        "description": row["description"] or None,
        "documentation_url": None,
        "type": "GENERIC",
        "version": function["version"],
        "runner": "ray",
        "arguments_schema": json.dumps(schema if schema is not None else {}),
    }


def job_object(row: Any, program: dict[str, Any] | None, *, with_result: bool) -> dict[str, Any]:
    """A job as the gateway shows it; ``program``: its function's row (None: deleted)."""
    function = json.loads(program["spec"]).get("function", {}) if program else {}
    shown_job: dict[str, Any] = {
        "id": row["id"],
        "status": GATEWAY_STATUS.get(row["status"], row["status"]),
        "program": {
            "id": row["program_id"],
            "title": function.get("title"),
            "provider": function.get("provider"),
        },
        "created": row["created"],
        "sub_status": row["sub_status"] if row["status"] == RUNNING else None,
        "fleet_id": None,
        "compute_profile": None,
        "business_model": None,
    }
    if with_result:
        shown_job["result"] = result_text(row)
    return shown_job


def result_text(row: Any) -> str | None:
    """The saved result of a job that completed (None: nothing saved, or not completed)."""
    if row["status"] != COMPLETED or row["result"] in (None, "null"):
        return None
    return str(row["result"])


def error_events(row: Any) -> list[dict[str, Any]]:
    """The ERROR event of a job that failed (``Job.result()`` raises with it)."""
    if row["status"] not in (FAILED, RAN_TOO_LONG):
        return []
    reason = row["reason"] or "the job failed"
    return [
        {
            "event_type": "ERROR",
            "origin": "SCHEDULER",
            "context": "RUN",
            "created": row["updated"],
            "data": {
                "message": reason,
                "code": "RAN_TOO_LONG" if row["status"] == RAN_TOO_LONG else "JOB_FAILED",
                "exception": row["result"] or reason,
                "args": {},
            },
        }
    ]
