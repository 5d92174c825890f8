"""``ProgramCatalog``: the programs of a runtime service (reference §6) — list, get, find by
name or id, upload, update, delete, visibility."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from runtime_kit.client.http import ServiceHttp
from runtime_kit.client.program import RuntimeProgram
from runtime_kit.errors import AmbiguousProgramError, InputValueError, ProgramNotFoundError

if TYPE_CHECKING:
    from runtime_kit.bundle import Bundle

#: Metadata fields the service takes (legacy ``_read_metadata`` whitelist, plus version).
METADATA_FIELDS = ("name", "max_execution_time", "description", "spec", "is_public", "version")
PAGE = 20


class ProgramCatalog:
    """The programs visible to one token, with a cache of what was listed or fetched."""

    def __init__(self, http: ServiceHttp) -> None:
        self._http = http
        self._cache: dict[str, RuntimeProgram] = {}

    def list(
        self, *, refresh: bool = False, limit: int | None = 20, skip: int = 0
    ) -> list[RuntimeProgram]:
        """Programs visible to this token (public and own), ``skip`` then ``limit`` of them."""
        if refresh or not self._cache:
            self._cache.clear()
            while True:
                page = self._http.json(
                    "GET", "/programs", params={"limit": PAGE, "offset": len(self._cache)}
                )
                for raw in page["programs"]:
                    self._cache[raw["id"]] = RuntimeProgram(raw)
                if not page["programs"] or len(self._cache) >= page["count"]:
                    break
        listed = list(self._cache.values())[skip:]
        return listed if limit is None else listed[:limit]

    def get(
        self, program_id: str, *, refresh: bool = False, version: str | None = None
    ) -> RuntimeProgram:
        """One program by id (``version``: that version's data, spec and cost).

        Raises:
            ProgramNotFoundError: no such program visible to this token.
        """
        cached = self._cache.get(program_id)
        if version is None and not refresh and cached is not None and cached.data:
            return cached
        params = {"version": version} if version is not None else None
        program = RuntimeProgram(self._http.json("GET", f"/programs/{program_id}", params=params))
        if version is None:  # by its id: the service also finds a program by its name
            self._cache[program.program_id] = program
        return program

    def own(self, name: str) -> RuntimeProgram | None:
        """This token's program called ``name``, with its data (the service shows data to
        the owner only); None if there is none."""
        for program in self.list(refresh=True, limit=None):
            if program.name == name:
                full = self.get(program.program_id, refresh=True)
                if full.data:
                    return full
        return None

    def find(self, name_or_id: str, *, version: str | None = None) -> RuntimeProgram:
        """The program with id ``name_or_id``, else the one of that name: yours if you have
        one, else the only visible one.

        Raises:
            ProgramNotFoundError: neither an id nor the name of a visible program.
            AmbiguousProgramError: several visible programs have that name, none of them yours.
        """
        try:
            return self.get(name_or_id, refresh=True, version=version)
        except ProgramNotFoundError as exc:
            if version is not None and exc.status == 404 and "has no version" in str(exc):
                raise
            not_an_id = exc
        named = [p for p in self.list(refresh=True, limit=None) if p.name == name_or_id]
        if not named:
            raise ProgramNotFoundError(
                f"no program {name_or_id!r}: neither the id nor the name of a program you "
                "can see (`runtime-kit programs list`)",
                status=404,
            ) from not_an_id
        if len(named) > 1:
            own = [p for p in named if self.get(p.program_id, refresh=True).data]
            if len(own) != 1:
                ids = [p.program_id for p in named]
                raise AmbiguousProgramError(
                    f"program name {name_or_id!r} is ambiguous: {', '.join(ids)} have it; "
                    "give one of these ids",
                    program_ids=ids,
                )
            named = own
        return self.get(named[0].program_id, refresh=True, version=version)

    def upload(self, data: str, metadata: Mapping[str, Any], version: str | None) -> str:
        """Create a program from ``data`` (base64 text) and v2 ``metadata``; returns its id."""
        body = {
            "name": metadata.get("name"),
            "data": data,
            "cost": metadata.get("max_execution_time"),
            "description": metadata.get("description", ""),
            "is_public": bool(metadata.get("is_public", False)),
            "version": str(version or metadata.get("version") or "0"),
        }
        if metadata.get("spec") is not None:
            body["spec"] = metadata["spec"]
        return str(self._http.json("POST", "/programs", json_body=body)["id"])

    def update(
        self,
        program_id: str,
        *,
        data: str | None,
        fields: Mapping[str, Any],
        version: str | None,
    ) -> None:
        """Change a program: with ``data`` and a ``version``, publish that new version;
        with ``data`` alone, replace the current version's data; ``fields`` (name,
        description, cost, spec) change the current version's metadata."""
        body = dict(fields)
        if data is not None and version is not None:
            body.update(data=data, version=str(version))
        elif data is not None:
            self._http.request(
                "PUT",
                f"/programs/{program_id}/data",
                content=data,
                headers={"Content-Type": "application/octet-stream"},
            )
        if body:
            self._http.request("PATCH", f"/programs/{program_id}", json_body=body)
        self._cache.pop(program_id, None)

    def delete(self, program_id: str) -> None:
        self._http.request("DELETE", f"/programs/{program_id}")
        self._cache.pop(program_id, None)

    def set_visibility(self, program_id: str, public: bool) -> None:
        self._http.request("PUT", f"/programs/{program_id}/{'public' if public else 'private'}")
        if program_id in self._cache:
            self._cache[program_id].is_public = public


def program_data(
    *,
    data: str | Path | None = None,
    source: str | None = None,
    path: str | Path | None = None,
    bundle: Bundle | None = None,
    metadata: Mapping[str, Any] | str | Path | None = None,
) -> tuple[str, dict[str, Any]]:
    """The upload text (base64 source or zip) and the v2 metadata of a program given as
    exactly one of ``data``/``path`` (a program file or directory), ``source`` (program
    text) or ``bundle`` (built already); ``metadata`` (a dict or a file) overrides the
    program directory's.

    Raises:
        InputValueError: not exactly one of them, a ``data`` path that does not exist, or
            ``source`` without ``metadata``.
    """
    given = [name for name, value in (("data", data), ("source", source), ("path", path),
             ("bundle", bundle)) if value is not None]  # fmt: skip
    if len(given) != 1:
        raise InputValueError(
            "give exactly one of data= or path= (a program file or directory), source= "
            f"(program text) or bundle= (a built bundle); got {', '.join(given) or 'none'}"
        )
    if source is not None:
        if metadata is None:
            raise InputValueError("metadata is required with source=")
        return base64.b64encode(source.encode()).decode("ascii"), load_metadata(metadata)
    if bundle is not None:
        return bundle.upload_data(), load_metadata(metadata or bundle.metadata)
    location = Path(data if data is not None else path)  # type: ignore[arg-type]
    if not location.exists():
        raise InputValueError(
            f"{location}: no such program file or directory (program text goes in source=)",
            name="data",
        )
    from runtime_kit.bundle import build_bundle

    built = build_bundle(
        location, metadata=load_metadata(metadata) if metadata is not None else None
    )
    return built.upload_data(), built.metadata


def load_metadata(metadata: Mapping[str, Any] | str | Path) -> dict[str, Any]:
    """The service's fields of ``metadata`` (a dict, or a JSON/YAML file; v1 or v2)."""
    from runtime_kit.metadata.checks import as_v2, load_v2

    loaded = as_v2(dict(metadata)) if isinstance(metadata, Mapping) else load_v2(Path(metadata))
    return {key: loaded[key] for key in METADATA_FIELDS if key in loaded}


def metadata_fields(loaded: Mapping[str, Any], explicit: Mapping[str, Any]) -> dict[str, Any]:
    """The service fields to change: ``explicit`` values (name, description,
    max_execution_time, spec) where given, else those of ``loaded`` metadata."""
    wire = {"name": "name", "description": "description", "max_execution_time": "cost",
            "spec": "spec"}  # fmt: skip
    fields = {}
    for key, field in wire.items():
        value = explicit.get(key)
        value = loaded.get(key) if value is None else value
        if value is not None:
            fields[field] = value
    return fields
