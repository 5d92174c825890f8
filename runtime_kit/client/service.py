"""``RuntimeService``: programs and jobs of a runtime service (reference §3), legacy-shaped."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from runtime_kit.client.http import ServiceHttp
from runtime_kit.client.job import Callback, RuntimeJob
from runtime_kit.client.program import RuntimeProgram
from runtime_kit.errors import InputValueError

#: Metadata fields the service takes (legacy ``_read_metadata`` whitelist, plus version).
METADATA_FIELDS = ("name", "max_execution_time", "description", "spec", "is_public", "version")
PAGE = 20

if TYPE_CHECKING:
    from runtime_kit.bundle import Bundle


class RuntimeService:
    """A runtime service.

    Args:
        url, token: the service; default: ``RUNTIME_KIT_URL``/``RUNTIME_KIT_TOKEN``, else
            the user config of ``runtime-kit login``, else the per-user local service
            (started on first use).
        transport: an httpx transport to use instead of the network (tests).
        ca_file: the CA certificates to trust for an https service; default:
            ``RUNTIME_KIT_CA_FILE``, else the one ``runtime-kit login --ca-file`` stored for
            the service, else the default CAs (``SSL_CERT_FILE`` names another bundle).
    """

    def __init__(
        self,
        url: str | None = None,
        token: str | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        ca_file: Path | None = None,
    ) -> None:
        from runtime_kit.client.config import resolve, resolve_ca_file

        url, token, self.source = resolve(url, token)
        ca_file = resolve_ca_file(url, ca_file)
        self._http = ServiceHttp(url, token, transport=transport, ca_file=ca_file)
        self._programs: dict[str, RuntimeProgram] = {}

    @property
    def url(self) -> str:
        return self._http.url

    def close(self) -> None:
        self._http.close()

    # --- programs -------------------------------------------------------------------------

    def programs(
        self, refresh: bool = False, limit: int | None = 20, skip: int = 0
    ) -> list[RuntimeProgram]:
        """Programs visible to this token (public and own), ``skip`` then ``limit`` of them."""
        if refresh or not self._programs:
            self._programs.clear()
            while True:
                page = self._http.json(
                    "GET", "/programs", params={"limit": PAGE, "offset": len(self._programs)}
                )
                for raw in page["programs"]:
                    self._programs[raw["id"]] = RuntimeProgram(raw)
                if not page["programs"] or len(self._programs) >= page["count"]:
                    break
        listed = list(self._programs.values())[skip:]
        return listed if limit is None else listed[:limit]

    def pprint_programs(
        self, refresh: bool = False, detailed: bool = False, limit: int = 20, skip: int = 0
    ) -> None:
        for program in self.programs(refresh, limit, skip):
            print("=" * 50)
            if detailed:
                print(program)
            else:
                print(f"{program.program_id}:\n  Name: {program.name}")
                print(f"  Description: {program.description}")

    def program(
        self, program_id: str, refresh: bool = False, version: str | None = None
    ) -> RuntimeProgram:
        if (
            version is None
            and not refresh
            and program_id in self._programs
            and self._programs[program_id].data
        ):
            return self._programs[program_id]
        params = {"version": version} if version is not None else None
        program = RuntimeProgram(self._http.json("GET", f"/programs/{program_id}", params=params))
        if version is None:
            self._programs[program_id] = program
        return program

    def own_program(self, name: str) -> RuntimeProgram | None:
        """This token's program called ``name``: the one whose data the service shows us
        (it shows data to the owner only), with its data; None if there is none."""
        for program in self.programs(refresh=True, limit=None):
            if program.name == name:
                full = self.program(program.program_id, refresh=True)
                if full.data:
                    return full
        return None

    def upload_program(
        self,
        metadata: Mapping[str, Any] | str | Path | None = None,
        *,
        source: str | None = None,
        path: str | Path | None = None,
        bundle: Bundle | None = None,
        version: str | None = None,
    ) -> str:
        """Upload a program; returns its id.

        Args:
            metadata: a dict, or the path of a JSON/YAML metadata file; default: the metadata
                of the program directory ``path``.
            source: the program's source text (a single-file program), or
            path: a program file, or a program directory (bundled as a zip when it has
                more than the program file), or
            bundle: one ``runtime_kit.bundle.build_bundle`` made already.
            version: overrides the metadata's ``version``.
        """
        data, metadata = self._program_data(source, path, bundle, metadata)
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
        return self._http.json("POST", "/programs", json_body=body)["id"]

    def update_program(
        self,
        program_id: str,
        *,
        source: str | None = None,
        path: str | Path | None = None,
        bundle: Bundle | None = None,
        metadata: Mapping[str, Any] | str | Path | None = None,
        name: str | None = None,
        description: str | None = None,
        max_execution_time: int | None = None,
        spec: Mapping[str, Any] | None = None,
        version: str | None = None,
    ) -> None:
        """Change a program; with ``source``/``path``/``bundle`` and a ``version``, publish a
        new version (earlier ones stay retrievable and runnable); without one, replace the
        data."""
        fields: dict[str, Any] = {}
        if source is not None or path is not None or bundle is not None:
            data, from_files = self._program_data(source, path, bundle, metadata)
            metadata = from_files
            fields["data"] = data
        loaded = _load_metadata(metadata) if metadata is not None else {}
        explicit = {
            "name": name,
            "description": description,
            "cost": max_execution_time,
            "spec": spec,
        }
        from_metadata = {
            "name": loaded.get("name"),
            "description": loaded.get("description"),
            "cost": loaded.get("max_execution_time"),
            "spec": loaded.get("spec"),
        }
        for key, value in explicit.items():
            chosen = value if value is not None else from_metadata[key]
            if chosen:
                fields[key] = chosen
        version = version or loaded.get("version")
        if "data" in fields and version is not None:
            fields["version"] = str(version)
        elif "data" in fields:
            data = fields.pop("data")
            self._http.request(
                "PUT",
                f"/programs/{program_id}/data",
                content=data,
                headers={"Content-Type": "application/octet-stream"},
            )
        if fields:
            self._http.request("PATCH", f"/programs/{program_id}", json_body=fields)
        self._programs.pop(program_id, None)

    def delete_program(self, program_id: str) -> None:
        self._http.request("DELETE", f"/programs/{program_id}")
        self._programs.pop(program_id, None)

    def set_program_visibility(self, program_id: str, public: bool) -> None:
        self._http.request("PUT", f"/programs/{program_id}/{'public' if public else 'private'}")
        if program_id in self._programs:
            self._programs[program_id].is_public = public

    # --- jobs -----------------------------------------------------------------------------

    def run(
        self,
        program_id: str,
        inputs: Mapping[str, Any] | Any,
        options: Mapping[str, Any] | Any = None,
        callback: Callback | None = None,
        result_decoder: Any = None,
        *,
        version: str | None = None,
    ) -> RuntimeJob:
        """Start a job; ``inputs`` a dict or a ``ParameterNamespace`` (validated first);
        ``options``: ``backend`` or ``backend_name``, ``log_level``, ``max_execution_time``."""
        from runtime_kit.serialization import RuntimeEncoder

        if hasattr(inputs, "validate") and hasattr(inputs, "inputs"):
            inputs.validate()
            inputs = inputs.inputs()
        options = (
            dict(options or {}) if isinstance(options, Mapping | type(None)) else vars(options)
        )
        body: dict[str, Any] = {
            "program_id": program_id,
            "backend": options.get("backend") or options.get("backend_name") or "aer_simulator",
            "params": dict(inputs),
        }
        for key, wire in (("log_level", "log_level"), ("max_execution_time", "cost")):
            if options.get(key) is not None:
                body[wire] = options[key]
        if version is not None:
            body["version"] = str(version)
        text = json.dumps(body, cls=RuntimeEncoder)
        answer = self._http.json(
            "POST", "/jobs", content=text, headers={"Content-Type": "application/json"}
        )
        job = RuntimeJob(
            self._http,
            answer["id"],
            program_id,
            inputs=dict(inputs),
            backend=answer.get("backend"),
            result_decoder=result_decoder,
        )
        if callback is not None:
            job.stream_results(callback)
        return job

    def job(self, job_id: str) -> RuntimeJob:
        raw = self._http.json("GET", f"/jobs/{job_id}")
        return self._job(raw)

    def jobs(
        self,
        limit: int | None = 10,
        skip: int = 0,
        pending: bool | None = None,
        program_id: str | None = None,
    ) -> list[RuntimeJob]:
        found: list[RuntimeJob] = []
        while limit is None or len(found) < limit:
            page_size = PAGE if limit is None else min(PAGE, limit - len(found))
            params: dict[str, Any] = {"limit": page_size, "offset": skip + len(found)}
            if pending is not None:
                params["pending"] = "true" if pending else "false"
            if program_id:
                params["program"] = program_id
            page = self._http.json("GET", "/jobs", params=params)
            found += [self._job(raw) for raw in page["jobs"]]
            if not page["jobs"] or len(found) >= page["count"] - skip:
                break
        return found

    def delete_job(self, job_id: str) -> None:
        self._http.request("DELETE", f"/jobs/{job_id}")

    def _job(self, raw: dict[str, Any]) -> RuntimeJob:
        from runtime_kit.serialization import RuntimeDecoder

        params = raw.get("params") or {}
        inputs = json.loads(json.dumps(params), cls=RuntimeDecoder)
        job = RuntimeJob(
            self._http,
            raw["id"],
            (raw.get("program") or {}).get("id", ""),
            inputs=inputs,
            creation_date=raw.get("created"),
            backend=raw.get("backend"),
        )
        job._api_status = raw.get("status", "QUEUED")
        return job

    def _program_data(
        self, source: str | None, path: str | Path | None, bundle: Bundle | None, metadata: Any
    ) -> tuple[str, dict[str, Any]]:
        if sum(given is not None for given in (source, path, bundle)) != 1:
            raise InputValueError(
                "give exactly one of source= (program text), path= (a file or directory) "
                "or bundle= (a built bundle)"
            )
        if source is not None:
            if metadata is None:
                raise InputValueError("metadata is required with source=")
            return base64.b64encode(source.encode()).decode("ascii"), _load_metadata(metadata)
        if bundle is not None:
            return bundle.upload_data(), _load_metadata(metadata or bundle.metadata)
        from runtime_kit.bundle import build_bundle

        bundle = build_bundle(
            Path(path), metadata=_load_metadata(metadata) if metadata is not None else None
        )
        return bundle.upload_data(), bundle.metadata


def _load_metadata(metadata: Mapping[str, Any] | str | Path) -> dict[str, Any]:
    from runtime_kit.metadata.checks import as_v2, load_v2

    loaded = as_v2(dict(metadata)) if isinstance(metadata, Mapping) else load_v2(Path(metadata))
    return {key: loaded[key] for key in METADATA_FIELDS if key in loaded}
