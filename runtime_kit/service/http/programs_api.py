"""Routes of programs: list, create, get (with source for its owner), update, visibility,
delete (reference §4.2)."""

from __future__ import annotations

import base64
import functools
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, TypeVar

from fastapi import Request, Response
from starlette.concurrency import run_in_threadpool

from runtime_kit.errors import ProgramEnvironmentError
from runtime_kit.service.core.admission import Cost
from runtime_kit.service.core.auth import Principal
from runtime_kit.service.core.blobs import StagedData
from runtime_kit.service.core.store import (
    VERSIONED_FIELDS,
    Store,
    add_version,
    now,
    random_id,
    spec_json,
)
from runtime_kit.service.http.api import Api, ApiError, Limit, Offset, api_of, checked_cost, shown
from runtime_kit.service.http.api_schemas import (
    DONE,
    PROGRAM_LINKS,
    PROGRAM_NAME,
    VERSION,
    documented,
    json_answer,
)
from runtime_kit.service.http.field_limits import (
    MAX_DESCRIPTION_BYTES,
    MAX_SPEC_BYTES,
    check_size,
    page_within,
    utf8_size,
)
from runtime_kit.service.http.routing import api_router
from runtime_kit.service.http.spec_checks import checked_spec
from runtime_kit.service.http.uploads import Upload, read_upload

NAME_PATTERN = re.compile(PROGRAM_NAME)
SPEC_KEYS = ("backend_requirements", "parameters", "return_values", "interim_results")

router = api_router()
_Answer = TypeVar("_Answer")


@router.get("/programs", **documented({200: json_answer("ProgramList")}, errors=(400, 401)))
def list_programs(request: Request, limit: Limit = 20, offset: Offset = 0) -> dict[str, Any]:
    api = api_of(request)
    principal = api.caller(request)
    where, args = api.program_scope(principal)
    total = api.store.count(f"SELECT COUNT(*) FROM programs WHERE {where}", *args)
    rows = api.store.query(
        f"SELECT * FROM program_rows WHERE {where} ORDER BY seq LIMIT ? OFFSET ?",
        *args,
        limit,
        offset,
    )
    rows = page_within(rows, lambda row: len(row["spec"]) + utf8_size(row["description"]))
    programs = [program_object(api.store, row, principal) for row in rows]
    return {"programs": programs, "count": total, "limit": limit, "offset": offset}


@router.post(
    "/programs",
    **documented(
        {200: json_answer("ProgramCreated", links=PROGRAM_LINKS)},
        errors=(400, 401, 403, 409, 413),
        body="ProgramCreate",
    ),
)
async def create_program(request: Request) -> dict[str, str]:
    api = api_of(request)
    principal = await api.principal(request)
    if not principal.can_upload:
        raise ApiError(403, "not authorized to upload programs (role uploader needed)")
    return await _uploaded(request, api, principal, _create_program)


def _create_program(api: Api, principal: Principal, upload: Upload) -> dict[str, str]:
    body = upload.fields
    fields = checked_fields(body, partial=False)
    data = upload.checked_data()
    if data is None:
        raise ApiError(400, "data (the base64 program source or zip bundle) is required")
    is_public = body.get("is_public", False)
    if not isinstance(is_public, bool):
        raise ApiError(400, "is_public must be a boolean")
    version = checked_version(body.get("version", "0"))
    program_id = f"{fields['name']}-{random_id(10)}"
    stamp = now()
    spec = fields.get("spec", "{}")
    cost = Cost(stored_bytes=data.size + len(spec) + len(fields["description"].encode()))
    with api.admission.admitted(principal.id, cost) as db:
        if db.execute(
            "SELECT 1 FROM programs WHERE owner = ? AND name = ?",
            (principal.id, fields["name"]),
        ).fetchone():
            raise ApiError(409, f"program with the same name already exists: {fields['name']}")
        seq = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM programs").fetchone()[0]
        db.execute(
            "INSERT INTO programs (id, owner, name, description, is_public, creation_date, "
            "update_date, seq, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                program_id,
                principal.id,
                fields["name"],
                fields["description"],
                int(is_public),
                stamp,
                stamp,
                seq,
                version,
            ),
        )
        add_version(db, program_id, version, data, spec, fields["cost"])
    return {"id": program_id}


@router.get(
    "/programs/{program_id}",
    **documented({200: json_answer("Program")}, errors=(400, 401, 404, 409)),
)
def get_program(request: Request, program_id: str, version: str | None = None) -> dict[str, Any]:
    api = api_of(request)
    principal = api.caller(request)
    row = api.visible_program(principal, program_id)
    if not sees_data(row, principal):
        return program_object(api.store, row, principal, with_data=True, version=version)
    with api.expensive(principal):  # its data: up to --max-body-mib
        return program_object(api.store, row, principal, with_data=True, version=version)


@router.patch(
    "/programs/{program_id}",
    **documented(DONE, errors=(400, 401, 403, 404, 409, 413), body="ProgramUpdate"),
)
async def update_program(request: Request, program_id: str) -> Response:
    api = api_of(request)
    principal = await api.principal(request)
    await run_in_threadpool(api.owned_program, principal, program_id)  # before any body
    update = functools.partial(_update_program, program_id=program_id)
    return await _uploaded(request, api, principal, update)


def _update_program(api: Api, principal: Principal, program_id: str, upload: Upload) -> Response:
    row = api.owned_program(principal, program_id)
    program_id = row["id"]
    body = upload.fields
    fields = checked_fields(body, partial=True)
    if "data" in body or "version" in body:
        _publish_version(api, principal, row, body, fields, upload.checked_data())
    elif fields:
        with api.admission.admitted(principal.id, Cost(stored_bytes=_fields_bytes(fields))) as db:
            if (
                "name" in fields
                and db.execute(
                    "SELECT 1 FROM programs WHERE owner = ? AND name = ? AND id != ?",
                    (row["owner"], fields["name"], program_id),
                ).fetchone()
            ):
                raise ApiError(409, f"program with the same name already exists: {fields['name']}")
            _update(db, program_id, row["version"], fields)
    return Response(status_code=204)


@router.put(
    "/programs/{program_id}/data",
    **documented(
        DONE, errors=(400, 401, 403, 404, 409, 413), raw_body="base64 of the source or of a zip"
    ),
)
async def update_program_data(request: Request, program_id: str) -> Response:
    api = api_of(request)
    principal = await api.principal(request)
    await run_in_threadpool(api.owned_program, principal, program_id)  # before any body
    update = functools.partial(_update_program_data, program_id=program_id)
    return await _uploaded(request, api, principal, update, in_json=False)


async def _uploaded(
    request: Request,
    api: Api,
    principal: Principal,
    then: Callable[..., _Answer],
    *,
    in_json: bool = True,
) -> _Answer:
    """``then(api, principal, upload=...)`` in a thread, once the body is streamed into a
    staged blob (an expensive request of the caller's; its environment checked on the way)."""
    with api.expensive(principal), api.store.staged_blob() as blob:
        upload = await read_upload(
            request,
            blob,
            limit=api.max_body_bytes,
            stall_s=api.stall_s,
            in_json=in_json,
            accept=functools.partial(checked_environment, api),
        )
        return await run_in_threadpool(then, api, principal, upload=upload)


def _update_program_data(
    api: Api, principal: Principal, program_id: str, upload: Upload
) -> Response:
    program_id = api.owned_program(principal, program_id)["id"]
    data = upload.checked_data()
    assert data is not None  # base64 alone: always data
    with api.admission.admitted(principal.id, Cost(stored_bytes=data.size)) as db:
        # legacy: replaces the data of the current version
        db.execute("UPDATE programs SET update_date = ? WHERE id = ?", (now(), program_id))
        db.execute(
            "UPDATE program_versions SET data_digest = ?, data_kind = ?, data_bytes = ? "
            "WHERE program_id = ? AND version = (SELECT version FROM programs WHERE id = ?)",
            (data.digest, data.kind, data.size, program_id, program_id),
        )
    api.store.remove_unused_blobs()
    return Response(status_code=204)


@router.put("/programs/{program_id}/{visibility}", **documented(DONE, errors=(401, 403, 404, 409)))
def set_visibility(
    request: Request, program_id: str, visibility: Literal["public", "private"]
) -> Response:
    api = api_of(request)
    program_id = api.owned_program(api.caller(request), program_id)["id"]
    with api.store.transaction() as db:
        db.execute(
            "UPDATE programs SET is_public = ?, update_date = ? WHERE id = ?",
            (int(visibility == "public"), now(), program_id),
        )
    return Response(status_code=204)


@router.delete("/programs/{program_id}", **documented(DONE, errors=(401, 403, 404, 409)))
def delete_program(request: Request, program_id: str) -> Response:
    api = api_of(request)
    program_id = api.owned_program(api.caller(request), program_id)["id"]
    with api.store.transaction() as db:
        db.execute("DELETE FROM programs WHERE id = ?", (program_id,))
        db.execute("DELETE FROM program_versions WHERE program_id = ?", (program_id,))
    api.store.remove_unused_blobs()
    return Response(status_code=204)


def program_object(
    store: Store,
    row: Any,
    principal: Principal,
    with_data: bool = False,
    version: str | None = None,
) -> dict[str, Any]:
    """The legacy ProgramObj, with ``version`` (latest, or the one asked for) and
    ``versions``; ``data`` (source, or base64 zip) for its owner only."""
    versions = store.query(
        "SELECT version FROM program_versions WHERE program_id = ? ORDER BY seq", row["id"]
    )
    chosen = dict(row) if version is None else store.program(row["id"], version)
    if chosen is None:
        raise ApiError(404, f"program {row['id']} has no version {version!r}")
    row = chosen
    spec = json.loads(row["spec"])
    obj = {
        "id": row["id"],
        "name": row["name"],
        "cost": row["cost"],
        "description": row["description"],
        "is_public": bool(row["is_public"]),
        "creation_date": row["creation_date"],
        "update_date": row["update_date"],
        "spec": {key: spec.get(key, {}) for key in SPEC_KEYS},
        "version": row["version"],
        "versions": [v["version"] for v in versions],
    }
    if with_data and sees_data(row, principal):
        raw = store.get_blob(row["data_digest"])
        is_source = row["data_kind"] == "source"
        obj["data"] = raw.decode("utf-8") if is_source else base64.b64encode(raw).decode("ascii")
        obj["data_kind"] = row["data_kind"]
    return obj


def sees_data(row: Any, principal: Principal) -> bool:
    """Whether ``principal`` is shown the data of program ``row`` (its owner, admins)."""
    return bool(row["owner"] == principal.id or principal.is_admin)


def checked_fields(body: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    """The program fields of ``body``, each checked (``partial``: only those present)."""
    fields: dict[str, Any] = {}
    if "name" in body or not partial:
        name = body.get("name")
        if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
            raise ApiError(400, f"invalid program name {shown(name)}")
        fields["name"] = name
    if "cost" in body or "max_execution_time" in body or not partial:
        name = (
            "cost" if "cost" in body or "max_execution_time" not in body else "max_execution_time"
        )
        fields["cost"] = checked_cost(body.get(name), name)
    if "description" in body or not partial:
        description = body.get("description", "")
        if not isinstance(description, str):
            raise ApiError(400, "description must be a string")
        fields["description"] = check_size(description, "description", MAX_DESCRIPTION_BYTES)
    if "spec" in body:
        spec = spec_json(checked_spec(body["spec"]))
        fields["spec"] = check_size(spec, "spec (the metadata document)", MAX_SPEC_BYTES)
    return fields


def checked_environment(api: Api, data: Path, kind: str) -> None:
    """Refuse program data (its staged file) that declares an environment this service
    cannot give (environments off, a package not allowed, no interpreter of its Python, a
    declaration with errors), before it is stored."""
    try:
        api.environments.check_upload(data, kind)
    except ProgramEnvironmentError as exc:
        raise ApiError(400, f"the program's environment: {exc}") from exc


def checked_version(version: Any) -> str:
    if isinstance(version, int | float) and not isinstance(version, bool):
        version = str(version)
    if not isinstance(version, str) or not re.fullmatch(VERSION, version):
        raise ApiError(400, f"invalid version {shown(version)}")
    return version


def _publish_version(
    api: Api,
    principal: Principal,
    row: Any,
    body: dict[str, Any],
    fields: dict[str, Any],
    data: StagedData | None,
) -> None:
    """PATCH with ``data`` and ``version``: a new version, which becomes the latest."""
    if data is None or "version" not in body:
        raise ApiError(400, "a new version needs both data and version")
    version = checked_version(body["version"])
    spec = fields.get("spec", row["spec"])
    cost = fields.get("cost", row["cost"])
    stored = Cost(stored_bytes=data.size + _fields_bytes(fields) + len(spec))
    with api.admission.admitted(principal.id, stored) as db:
        if db.execute(
            "SELECT 1 FROM program_versions WHERE program_id = ? AND version = ?",
            (row["id"], version),
        ).fetchone():
            raise ApiError(409, f"program {row['id']} already has version {version!r}")
        add_version(db, row["id"], version, data, spec, cost)
        program_fields = {k: v for k, v in fields.items() if k not in VERSIONED_FIELDS}
        _update(db, row["id"], version, {**program_fields, "version": version})


def _fields_bytes(fields: dict[str, Any]) -> int:
    """The bytes the stored texts among ``fields`` take (description, spec)."""
    return sum(utf8_size(fields[key]) for key in ("description", "spec") if key in fields)


def _update(db: Any, program_id: str, version: str, fields: dict[str, Any]) -> None:
    """Change a program: its own fields on the program, the versioned ones (cost, spec) on
    ``version``."""
    program = {k: v for k, v in fields.items() if k not in VERSIONED_FIELDS}
    versioned = {k: v for k, v in fields.items() if k in VERSIONED_FIELDS}
    assignments = "".join(f"{key} = ?, " for key in program)
    db.execute(
        f"UPDATE programs SET {assignments}update_date = ? WHERE id = ?",
        (*program.values(), now(), program_id),
    )
    if versioned:
        assignments = ", ".join(f"{key} = ?" for key in versioned)
        db.execute(
            f"UPDATE program_versions SET {assignments} WHERE program_id = ? AND version = ?",
            (*versioned.values(), program_id, version),
        )
