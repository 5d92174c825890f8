"""Routes of programs: list, create, get (with source for its owner), update, visibility,
delete (reference §4.2)."""

from __future__ import annotations

import base64
import json
import re
from typing import Any, Literal

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from runtime_kit.errors import BundleError, ProgramEnvironmentError
from runtime_kit.service.api import Api, ApiError, Limit, Offset, api_of, checked_cost, shown
from runtime_kit.service.api_schemas import (
    DONE,
    PROGRAM_LINKS,
    PROGRAM_NAME,
    VERSION,
    documented,
    json_answer,
)
from runtime_kit.service.auth import Principal
from runtime_kit.service.bundles import ProgramData, decode_program_data
from runtime_kit.service.spec_checks import checked_spec
from runtime_kit.service.store import VERSIONED_FIELDS, Store, now, random_id, spec_json

NAME_PATTERN = re.compile(PROGRAM_NAME)
SPEC_KEYS = ("backend_requirements", "parameters", "return_values", "interim_results")

router = APIRouter()


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
    body = await api.json_body(request)
    return await run_in_threadpool(_create_program, api, principal, body)


def _create_program(api: Api, principal: Principal, body: dict[str, Any]) -> dict[str, str]:
    fields = checked_fields(body, partial=False)
    if not isinstance(body.get("data"), str):
        raise ApiError(400, "data (the base64 program source or zip bundle) is required")
    data = program_data(body["data"], api)
    is_public = body.get("is_public", False)
    if not isinstance(is_public, bool):
        raise ApiError(400, "is_public must be a boolean")
    version = checked_version(body.get("version", "0"))
    with api.store.new_blob(data.raw) as digest:
        program_id = f"{fields['name']}-{random_id(10)}"
        stamp = now()
        with api.store.transaction() as db:
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
            add_version(
                db, program_id, version, digest, data.kind, fields.get("spec", "{}"), fields["cost"]
            )
    return {"id": program_id}


@router.get(
    "/programs/{program_id}",
    **documented({200: json_answer("Program")}, errors=(400, 401, 404, 409)),
)
def get_program(request: Request, program_id: str, version: str | None = None) -> dict[str, Any]:
    api = api_of(request)
    principal = api.caller(request)
    row = api.visible_program(principal, program_id)
    return program_object(api.store, row, principal, with_data=True, version=version)


@router.patch(
    "/programs/{program_id}",
    **documented(DONE, errors=(400, 401, 403, 404, 409, 413), body="ProgramUpdate"),
)
async def update_program(request: Request, program_id: str) -> Response:
    api = api_of(request)
    principal = await api.principal(request)
    body = await api.json_body(request)
    return await run_in_threadpool(_update_program, api, principal, program_id, body)


def _update_program(
    api: Api, principal: Principal, program_id: str, body: dict[str, Any]
) -> Response:
    row = api.owned_program(principal, program_id)
    program_id = row["id"]
    fields = checked_fields(body, partial=True)
    if "data" in body or "version" in body:
        _publish_version(api, row, body, fields)
    elif fields:
        with api.store.transaction() as db:
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
    body = await api.body(request)
    return await run_in_threadpool(_update_program_data, api, principal, program_id, body)


def _update_program_data(api: Api, principal: Principal, program_id: str, body: bytes) -> Response:
    program_id = api.owned_program(principal, program_id)["id"]
    try:
        text = body.decode("ascii")
    except UnicodeDecodeError as exc:
        raise ApiError(400, "data must be base64 text") from exc
    data = program_data(text, api)
    with api.store.new_blob(data.raw) as digest, api.store.transaction() as db:
        # legacy: replaces the data of the current version
        db.execute("UPDATE programs SET update_date = ? WHERE id = ?", (now(), program_id))
        db.execute(
            "UPDATE program_versions SET data_digest = ?, data_kind = ? "
            "WHERE program_id = ? AND version = (SELECT version FROM programs WHERE id = ?)",
            (digest, data.kind, program_id, program_id),
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
    if with_data and (row["owner"] == principal.id or principal.is_admin):
        raw = store.get_blob(row["data_digest"])
        is_source = row["data_kind"] == "source"
        obj["data"] = raw.decode("utf-8") if is_source else base64.b64encode(raw).decode("ascii")
        obj["data_kind"] = row["data_kind"]
    return obj


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
        fields["description"] = description
    if "spec" in body:
        fields["spec"] = spec_json(checked_spec(body["spec"]))
    return fields


def program_data(text: str, api: Api) -> ProgramData:
    """The checked program data of base64 ``text``: a bundle that declares an environment
    this service cannot give (environments off, a package not allowed, no interpreter of
    its Python, a declaration with errors) is refused here, before it is stored."""
    try:
        data = decode_program_data(text)
        api.environments.check_upload(data.raw, data.kind)
    except BundleError as exc:
        raise ApiError(exc.status, str(exc)) from exc
    except ProgramEnvironmentError as exc:
        raise ApiError(400, f"the program's environment: {exc}") from exc
    return data


def checked_version(version: Any) -> str:
    if isinstance(version, int | float) and not isinstance(version, bool):
        version = str(version)
    if not isinstance(version, str) or not re.fullmatch(VERSION, version):
        raise ApiError(400, f"invalid version {shown(version)}")
    return version


def add_version(
    db: Any, program_id: str, version: str, digest: str, kind: str, spec: str, cost: int
) -> None:
    seq = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM program_versions").fetchone()[0]
    db.execute(
        "INSERT INTO program_versions (program_id, version, data_digest, data_kind, spec, cost, "
        "created, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (program_id, version, digest, kind, spec, cost, now(), seq),
    )


def _publish_version(api: Api, row: Any, body: dict[str, Any], fields: dict[str, Any]) -> None:
    """PATCH with ``data`` and ``version``: a new version, which becomes the latest."""
    if not isinstance(body.get("data"), str) or "version" not in body:
        raise ApiError(400, "a new version needs both data and version")
    version = checked_version(body["version"])
    data = program_data(body["data"], api)
    store = api.store
    spec = fields.get("spec", row["spec"])
    cost = fields.get("cost", row["cost"])
    with store.new_blob(data.raw) as digest, store.transaction() as db:
        if db.execute(
            "SELECT 1 FROM program_versions WHERE program_id = ? AND version = ?",
            (row["id"], version),
        ).fetchone():
            raise ApiError(409, f"program {row['id']} already has version {version!r}")
        add_version(db, row["id"], version, digest, data.kind, spec, cost)
        program_fields = {k: v for k, v in fields.items() if k not in VERSIONED_FIELDS}
        _update(db, row["id"], version, {**program_fields, "version": version})


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
