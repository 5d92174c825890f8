"""``JobCatalog``: the jobs of a runtime service (reference §7) — submit, get, list, delete."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from runtime_kit.client.http import ServiceHttp
from runtime_kit.client.job import Decoder, RuntimeJob
from runtime_kit.errors import InputValueError

PAGE = 20
#: Run options the service takes, and the request field each becomes.
OPTIONS = {"backend": "backend", "backend_name": "backend", "log_level": "log_level",
           "max_execution_time": "cost", "image": None}  # fmt: skip


class JobCatalog:
    """The jobs of one token."""

    def __init__(self, http: ServiceHttp) -> None:
        self._http = http

    def submit(
        self,
        program_id: str,
        inputs: Mapping[str, Any],
        options: Mapping[str, Any],
        *,
        version: str | None = None,
        result_decoder: Decoder | None = None,
    ) -> RuntimeJob:
        """Start a job of ``program_id`` with wire-encodable ``inputs``; ``options`` as
        ``request_body`` explains."""
        from runtime_kit.serialization import RuntimeEncoder

        body = request_body(program_id, inputs, options, version)
        answer = self._http.json(
            "POST",
            "/jobs",
            content=json.dumps(body, cls=RuntimeEncoder),
            headers={"Content-Type": "application/json"},
        )
        return RuntimeJob(
            self._http,
            answer["id"],
            program_id,
            inputs=dict(inputs),
            backend=answer.get("backend"),
            result_decoder=result_decoder,
        )

    def get(self, job_id: str) -> RuntimeJob:
        return self._from_raw(self._http.json("GET", f"/jobs/{job_id}"))

    def list(
        self,
        *,
        limit: int | None = 10,
        skip: int = 0,
        pending: bool | None = None,
        program_id: str | None = None,
        instance: str | None = None,
    ) -> list[RuntimeJob]:
        """This token's jobs, newest first: ``skip``, then ``limit`` (None: all);
        ``pending``: only queued or running (True) or only ended (False) ones; ``instance``:
        only those that ran under it (``HUB/GROUP/PROJECT``)."""
        found: list[RuntimeJob] = []
        while limit is None or len(found) < limit:
            page_size = PAGE if limit is None else min(PAGE, limit - len(found))
            params: dict[str, Any] = {"limit": page_size, "offset": skip + len(found)}
            if pending is not None:
                params["pending"] = "true" if pending else "false"
            if program_id:
                params["program"] = program_id
            if instance:
                params["provider"] = instance
            page = self._http.json("GET", "/jobs", params=params)
            found += [self._from_raw(raw) for raw in page["jobs"]]
            if not page["jobs"] or len(found) >= page["count"] - skip:
                break
        return found

    def delete(self, job_id: str) -> None:
        self._http.request("DELETE", f"/jobs/{job_id}")

    def _from_raw(self, raw: dict[str, Any]) -> RuntimeJob:
        from runtime_kit.serialization import RuntimeDecoder

        params = raw.get("params") or {}
        job = RuntimeJob(
            self._http,
            raw["id"],
            (raw.get("program") or {}).get("id", ""),
            inputs=json.loads(json.dumps(params), cls=RuntimeDecoder),
            creation_date=raw.get("created"),
            backend=raw.get("backend"),
        )
        job.set_api_status(raw.get("status", "QUEUED"))
        return job


def request_body(
    program_id: str,
    inputs: Mapping[str, Any],
    options: Mapping[str, Any],
    version: str | None,
) -> dict[str, Any]:
    """The body of ``POST /jobs``.  ``options``: ``backend`` or ``backend_name`` (a simulator
    name, see ``runtime_kit.harness.backends``), ``log_level``, ``max_execution_time``;
    ``image`` only empty (the legacy option has no meaning here).

    Raises:
        InputValueError: an unknown option (inputs passed as options, say) or an image.
    """
    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        raise InputValueError(
            f"unknown run option(s) {', '.join(map(repr, unknown))}: options are "
            f"{', '.join(OPTIONS)}; program inputs go in inputs= (run(program_id, options, "
            "inputs), the legacy order)",
            name="options",
        )
    if options.get("image"):
        raise InputValueError("the image option is not supported: jobs run in runtime-kit")
    body: dict[str, Any] = {
        "program_id": program_id,
        "backend": options.get("backend") or options.get("backend_name") or "aer_simulator",
        "params": dict(inputs),
    }
    for key in ("log_level", "max_execution_time"):
        if options.get(key) is not None:
            body[OPTIONS[key]] = options[key]  # type: ignore[index]
    if version is not None:
        body["version"] = str(version)
    return body
