"""``/ui/programs``: the list (search, visibility, paging) and a program's page."""

from __future__ import annotations

import base64
import contextlib
import io
import json
import zipfile
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from runtime_kit.service.http.api import Api, api_of
from runtime_kit.service.http.field_limits import LISTED_DESCRIPTION_CHARS
from runtime_kit.service.http.programs_api import program_object
from runtime_kit.service.ui.pages import html_page, pretty_json, render, visitor_of
from runtime_kit.service.ui.paging import Paging
from runtime_kit.service.ui.program_source import main_defaults

router = APIRouter(prefix="/ui")

PAGE_SIZE = 25
_TEXT_SUFFIXES = (".py", ".json", ".yaml", ".yml", ".toml", ".txt", ".md", ".cfg", ".ini")
_MAX_SHOWN_FILE_BYTES = 100_000
_MAX_SHOWN_FILES = 30


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    default: str
    #: Where the default comes from: "schema", "main()" (its signature), or "" (none).
    default_from: str
    required: bool
    description: str
    constraints: str


@dataclass(frozen=True)
class SourceFile:
    path: str
    size: int
    text: str | None


@router.get("/programs")
@html_page
def programs(request: Request, q: str = "", visibility: str = "all", page: int = 1) -> Response:
    visitor = visitor_of(request)
    api = api_of(request)
    scope, args = api.program_scope(visitor.principal)
    clauses, values = [scope], [*args]
    if q:
        pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        clauses.append("(name LIKE ? ESCAPE '\\' OR description LIKE ? ESCAPE '\\')")
        values += [pattern, pattern]
    if visibility in ("public", "private"):
        clauses.append("is_public = ?")
        values.append(int(visibility == "public"))
    where = " AND ".join(clauses)
    total = api.store.count(f"SELECT COUNT(*) FROM programs WHERE {where}", *values)
    paging = Paging(page, PAGE_SIZE, total)
    rows = api.store.query(
        f"SELECT id, name, substr(description, 1, {LISTED_DESCRIPTION_CHARS}) AS description, "
        "is_public, version, cost, update_date, owner "
        f"FROM program_rows WHERE {where} ORDER BY name COLLATE NOCASE, seq LIMIT ? OFFSET ?",
        *values,
        PAGE_SIZE,
        paging.offset,
    )
    return render(
        request,
        "programs.html",
        visitor=visitor,
        programs=rows,
        paging=paging,
        q=q,
        visibility=visibility,
    )


@router.get("/programs/{program_id}")
@html_page
def program(request: Request, program_id: str, version: str | None = None) -> Response:
    visitor = visitor_of(request)
    api = api_of(request)
    row = api.visible_program(visitor.principal, program_id)
    shown = program_object(api.store, row, visitor.principal, with_data=True, version=version)
    versions = api.store.query(
        "SELECT version, data_kind, cost, created FROM program_versions WHERE program_id = ? "
        "ORDER BY seq DESC",
        program_id,
    )
    spec = shown["spec"]
    return render(
        request,
        "program.html",
        visitor=visitor,
        program=shown,
        owner=row["owner"],
        versions=versions,
        parameters=parameters_of(spec.get("parameters"), _source_defaults(api, shown)),
        interim_schema=_schema_text(spec.get("interim_results")),
        return_schema=_schema_text(spec.get("return_values")),
        requirements=_schema_text(spec.get("backend_requirements")),
        source=source_files(shown) if "data" in shown else None,
    )


def parameters_of(schema: Any, source_defaults: dict[str, str] | None = None) -> list[Parameter]:
    """The rows of the parameter table, from the JSON Schema of the inputs; a default the
    schema does not give comes from ``source_defaults`` (``main()``'s signature)."""
    source_defaults = source_defaults or {}
    if not isinstance(schema, dict) or not isinstance(schema.get("properties"), dict):
        return []
    required: list[Any] = schema["required"] if isinstance(schema.get("required"), list) else []
    rows = []
    for name, given in schema["properties"].items():
        prop = given if isinstance(given, dict) else {}
        rest = {
            key: value
            for key, value in prop.items()
            if key not in ("type", "default", "description", "title")
        }
        default, default_from = "", ""
        if "default" in prop:
            default, default_from = json.dumps(prop["default"], ensure_ascii=False), "schema"
        elif name in source_defaults:
            default, default_from = source_defaults[name], "main()"
        rows.append(
            Parameter(
                name=str(name),
                type=_type_of(prop),
                default=default,
                default_from=default_from,
                required=name in required,
                description=str(prop.get("description") or prop.get("title") or ""),
                constraints=", ".join(f"{k}: {json.dumps(v)}" for k, v in rest.items()),
            )
        )
    return rows


def source_files(program: dict[str, Any]) -> list[SourceFile]:
    """The source as files: the one file of a source upload, or the text files of a zip."""
    if program["data_kind"] == "source":
        text = program["data"]
        return [SourceFile("program.py", len(text.encode()), text)]
    raw = base64.b64decode(program["data"])
    files = []
    with zipfile.ZipFile(io.BytesIO(raw)) as bundle:
        for info in bundle.infolist()[:_MAX_SHOWN_FILES]:
            if info.is_dir():
                continue
            text = None
            if info.filename.endswith(_TEXT_SUFFIXES) and info.file_size <= _MAX_SHOWN_FILE_BYTES:
                with contextlib.suppress(zipfile.BadZipFile):  # a bad CRC: listed, not shown
                    text = bundle.read(info).decode("utf-8", errors="replace")
            files.append(SourceFile(info.filename, info.file_size, text))
    return files


def _source_defaults(api: Api, shown: dict[str, Any]) -> dict[str, str]:
    """The defaults of ``main()`` in the shown version's stored data (read for every
    visitor: a default is part of the program's inputs, as the table shows them)."""
    stored = api.store.program(shown["id"], shown["version"])
    if stored is None:
        return {}
    return main_defaults(api.store.get_blob(stored["data_digest"]), stored["data_kind"])


def _type_of(prop: dict[str, Any]) -> str:
    kind = prop.get("type")
    if isinstance(kind, list):
        return " | ".join(map(str, kind))
    if kind:
        return str(kind)
    for combinator in ("anyOf", "oneOf"):
        if isinstance(prop.get(combinator), list):
            return " | ".join(_type_of(p) for p in prop[combinator] if isinstance(p, dict))
    return "any"


def _schema_text(schema: Any) -> str:
    return pretty_json(schema) if schema else ""
