"""The wire shapes of the API as JSON Schemas (OpenAPI 3.1 components), and how a route
declares its body and answers.

Routes read their JSON bodies themselves (whatever the Content-Type, off the event loop), so
bodies are described here, not parsed by FastAPI.  The patterns below are also what the
routes check (one definition for both): a body the schema refuses is a 4xx; schemathesis
checks the two agree (tests/service/test_openapi.py).
"""

from __future__ import annotations

import base64
from typing import Any

from fastapi.responses import JSONResponse, PlainTextResponse

from runtime_kit.service.core.auth import ROLES
from runtime_kit.service.core.instances import INSTANCE
from runtime_kit.service.core.store import FINAL_STATUSES, QUEUED, RUNNING
from runtime_kit.service.http.api import COST_TEXT, MAX_COST_S, MAX_LABEL_CHARS, MAX_NAME_CHARS

#: A program's name (also the start of its id).
PROGRAM_NAME = r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}"
#: A program version, as a string.
VERSION = r"[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}"
#: A token's name: no control characters (C0, DEL, C1), no line or paragraph separators.
TOKEN_NAME = r"[^\x00-\x1f\x7f-\x9f\u2028\u2029]*"
#: A backend name: one that ``GET /backends`` lists, or any other the service offers
#: (``generic-N``, ``noisy-N``, a device snapshot's alias, a provider's backend).
BACKEND = {
    "type": ["string", "null"],
    "maxLength": 256,
    "description": "a backend this service offers (GET /backends lists them); default "
    "aer_simulator",
}

_STATUSES = [QUEUED, RUNNING, *FINAL_STATUSES]
#: base64 of ``def main(backend, user_messenger, **kwargs):\n    return "hello"\n``.
_EXAMPLE_DATA = base64.b64encode(
    b'def main(backend, user_messenger, **kwargs):\n    return "hello"\n'
).decode()


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _object(required: str, **properties: Any) -> dict[str, Any]:
    """An object with ``properties``, the ones named in ``required`` (space-separated) always."""
    return {"type": "object", "required": required.split(), "properties": properties}


_COST = {
    "description": f"seconds: an integer from 1 to {MAX_COST_S}, or ASCII digits",
    "anyOf": [
        {"type": "integer", "minimum": 1, "maximum": MAX_COST_S},
        {"type": "string", "pattern": f"^{COST_TEXT}$"},
    ],
}
_VERSION_IN = {
    "description": "a version string, or a number (taken as its text)",
    "anyOf": [{"type": "string", "pattern": f"^{VERSION}$"}, {"type": "number"}],
}
_LABEL = {"type": ["string", "null"], "maxLength": MAX_LABEL_CHARS}
_SCHEMA_IN = {
    "type": ["object", "boolean", "null"],
    "description": "a JSON Schema that compiles offline (null: not declared)",
}
_SPEC_IN = {
    "type": ["object", "null"],
    "properties": {
        "backend_requirements": {
            "type": ["object", "null"],
            "properties": {
                "min_num_qubits": {"type": "integer", "minimum": 1},
                "input_allowed": {"type": ["string", "array"], "items": {"type": "string"}},
            },
        },
        "parameters": _SCHEMA_IN,
        "return_values": _SCHEMA_IN,
        "interim_results": _SCHEMA_IN,
    },
}
_NAME_IN = {"type": "string", "pattern": f"^{PROGRAM_NAME}$"}
#: A logging level name in any case (JSON Schema patterns have no case-insensitive flag).
_ANY_CASE_LEVELS = (
    "^(?:"
    + "|".join(
        "".join(f"[{c.lower()}{c}]" for c in level)
        for level in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
    )
    + ")?$"
)
_INSTANCE = {"type": "string", "pattern": f"^{INSTANCE}$", "examples": ["ibm-q/open/main"]}

#: Every named shape: ``#/components/schemas/<name>``.
SCHEMAS: dict[str, dict[str, Any]] = {
    "Error": _object(
        "error",
        error=_object(
            "message code status",
            message={"type": "string"},
            code={"type": "string", "examples": ["BAD_REQUEST", "NOT_FOUND"]},
            status={"type": "integer"},
        ),
    ),
    "ProgramCreate": {
        **_object(
            "name data",
            name=_NAME_IN,
            data={"type": "string", "description": "base64 of the source, or of a zip bundle"},
            cost=_COST,
            max_execution_time={**_COST, "description": "legacy name of cost"},
            description={"type": "string"},
            is_public={"type": "boolean"},
            spec=_SPEC_IN,
            version=_VERSION_IN,
        ),
        "anyOf": [{"required": ["cost"]}, {"required": ["max_execution_time"]}],
        "examples": [
            {"name": "hello", "data": _EXAMPLE_DATA, "cost": 60, "description": "says hello"}
        ],
    },
    "ProgramUpdate": {
        **_object(
            "",
            name=_NAME_IN,
            cost=_COST,
            max_execution_time=_COST,
            description={"type": "string"},
            spec=_SPEC_IN,
            data={"type": "string", "description": "with version: publish a new version"},
            version=_VERSION_IN,
        ),
        "dependentRequired": {"data": ["version"], "version": ["data"]},
        "examples": [{"description": "says hello again"}, {"data": _EXAMPLE_DATA, "version": "2"}],
    },
    "ProgramCreated": _object("id", id={"type": "string"}),
    "ProgramSpec": _object(
        "backend_requirements parameters return_values interim_results",
        backend_requirements={"type": "object"},
        parameters={"type": ["object", "boolean"]},
        return_values={"type": ["object", "boolean"]},
        interim_results={"type": ["object", "boolean"]},
    ),
    "Program": _object(
        "id name cost description is_public creation_date update_date spec version versions",
        id={"type": "string"},
        name={"type": "string"},
        cost={"type": "integer"},
        description={"type": "string"},
        is_public={"type": "boolean"},
        creation_date={"type": "string"},
        update_date={"type": "string"},
        spec=_ref("ProgramSpec"),
        version={"type": "string"},
        versions={"type": "array", "items": {"type": "string"}},
        data={"type": "string", "description": "the source, or base64 of a zip (owner only)"},
        data_kind={"enum": ["source", "zip"]},
    ),
    "ProgramList": _object(
        "programs count limit offset",
        programs={"type": "array", "items": _ref("Program")},
        count={"type": "integer"},
        limit={"type": "integer"},
        offset={"type": "integer"},
    ),
    "JobCreate": {
        **_object(
            "",
            program_id={"type": "string"},
            programId={"type": "string", "description": "legacy name of program_id"},
            hub=_LABEL,
            group=_LABEL,
            project=_LABEL,
            runtime=_LABEL,
            log_level={
                "type": ["string", "null"],
                "pattern": _ANY_CASE_LEVELS,
                "description": "the program's logging level (any case); none: warnings only",
            },
            backend=BACKEND,
            params={
                "description": "the inputs: an object, its JSON text, or a list of one",
                "anyOf": [
                    {"type": "object"},
                    {"type": "string"},
                    {"type": "array", "items": {"type": ["object", "string"]}},
                ],
            },
            cost={"anyOf": [_COST, {"type": "null"}]},
            version={"anyOf": [_VERSION_IN, {"type": "null"}]},
        ),
        "anyOf": [{"required": ["program_id"]}, {"required": ["programId"]}],
        "examples": [{"program_id": "hello-a1B2c3D4e5", "params": {}, "backend": "aer_simulator"}],
    },
    "JobCreated": _object("id backend", id={"type": "string"}, backend={"type": "string"}),
    "Job": _object(
        "id hub group project backend status state params program created runtime log_level"
        " cost version seed",
        id={"type": "string"},
        hub={"type": ["string", "null"]},
        group={"type": ["string", "null"]},
        project={"type": ["string", "null"]},
        backend={"type": "string"},
        status={"enum": _STATUSES},
        state=_object("status reason", status={"enum": _STATUSES}, reason={"type": "string"}),
        params={"type": "object"},
        program=_object("id", id={"type": "string"}),
        created={"type": "string"},
        runtime={"type": "string"},
        log_level={"type": ["string", "null"]},
        cost={"type": ["integer", "null"]},
        version={"type": ["string", "null"]},
        seed={"type": ["integer", "null"]},
        external_jobs={
            "description": "jobs this job made elsewhere (IBM Quantum jobs; GET /jobs/{id} only)",
            "type": "array",
            "items": _object(
                "provider id backend created",
                provider={"type": "string"},
                id={"type": "string"},
                backend={"type": "string"},
                created={"type": "string"},
            ),
        },
    ),
    "JobList": _object(
        "jobs count", jobs={"type": "array", "items": _ref("Job")}, count={"type": "integer"}
    ),
    "TokenCreate": _object(
        "name",
        name={
            "type": "string",
            "minLength": 1,
            "maxLength": MAX_NAME_CHARS,
            "pattern": f"^{TOKEN_NAME}$",
        },
        role={"enum": list(ROLES)},
        instances={
            "type": "array",
            "items": _INSTANCE,
            "description": "instances granted besides the open ones (they must exist)",
        },
    ),
    "TokenCreated": _object(
        "id name role token instances",
        id={"type": "string"},
        name={"type": "string"},
        role={"enum": list(ROLES)},
        token={"type": "string", "description": "shown once"},
        instances={
            "type": "array",
            "items": {"type": "string"},
            "description": "the token's instances, its default first",
        },
    ),
    "TokenList": _object(
        "tokens",
        tokens={
            "type": "array",
            "items": _object(
                "id name role created revoked",
                id={"type": "string"},
                name={"type": "string"},
                role={"enum": list(ROLES)},
                created={"type": "string"},
                revoked={"type": "boolean"},
                instances={"type": "array", "items": {"type": "string"}},
            ),
        },
    ),
    "InstanceCreate": _object(
        "instance",
        instance=_INSTANCE,
        open_to_all={"type": "boolean", "description": "granted to every token"},
    ),
    "InstanceCreated": _object(
        "instance open_to_all", instance={"type": "string"}, open_to_all={"type": "boolean"}
    ),
    "InstanceList": _object(
        "instances",
        instances={
            "type": "array",
            "items": _object(
                "instance hub group project open created tokens",
                instance={"type": "string"},
                hub={"type": "string"},
                group={"type": "string"},
                project={"type": "string"},
                open={"type": "boolean"},
                created={"type": "string"},
                tokens={"type": "integer", "description": "how many tokens it is granted"},
            ),
        },
    ),
    # The account API of qiskit-ibmq-provider and qiskit-ibm-runtime (account_api).
    "ApiVersion": _object(
        "new_api api-auth", new_api={"type": "boolean"}, **{"api-auth": {"type": "string"}}
    ),
    "Login": _object("apiToken", apiToken={"type": "string", "minLength": 1}),
    "AccessToken": _object(
        "id ttl created userId",
        id={"type": "string"},
        ttl={"type": "integer"},
        created={"type": "string"},
        userId={"type": "string"},
    ),
    "UserInfo": _object(
        "id username role urls",
        id={"type": "string"},
        username={"type": "string"},
        role={"enum": list(ROLES)},
        urls=_object(
            "http ws services",
            http={"type": "string"},
            ws={"type": "string"},
            services=_object("runtime", runtime={"type": "string"}),
        ),
    ),
    "Hubs": {"type": "array", "items": {"type": "object"}},
    "BackendConfiguration": {
        "type": "object",
        "required": ["backend_name", "n_qubits"],
        "description": "a qiskit BackendConfiguration as a dict",
    },
    "BackendConfigurations": {"type": "array", "items": _ref("BackendConfiguration")},
    "BackendProperties": {
        "type": "object",
        "description": "a qiskit BackendProperties as a dict (readout errors of noisy-N)",
    },
    "BackendStatus": _object(
        "backend_name backend_version state status lengthQueue length_queue",
        backend_name={"type": "string"},
        backend_version={"type": "string"},
        state={"type": "boolean", "description": "operational"},
        status={"type": "string", "description": "the status message"},
        lengthQueue={"type": "integer", "description": "jobs waiting (qiskit-ibmq-provider)"},
        length_queue={"type": "integer", "description": "jobs waiting (qiskit-ibm-runtime)"},
    ),
    "BackendDefaults": {"type": "object", "description": "empty: no pulse defaults"},
    # qiskit-ibmq-provider's job API (circuit_jobs_api)
    "CircuitJobCreate": _object(
        "backend",
        backend=_object("name", name={"type": "string", "pattern": f"^(?:{BACKEND})$"}),
        allowObjectStorage={"type": "boolean", "const": True},
        liveDataEnabled={"type": ["boolean", "null"]},
        name={"type": "string", "maxLength": MAX_LABEL_CHARS},
        tags={
            "type": "array",
            "maxItems": 100,
            "items": {"type": "string", "minLength": 1, "maxLength": MAX_LABEL_CHARS},
        },
    ),
    "CircuitJob": _object(
        "id kind creationDate status backend",
        id={"type": "string"},
        kind={"enum": ["q-object-external-storage", "q-object"]},
        creationDate={"type": "string"},
        status={
            "enum": ["CREATING", "QUEUED", "RUNNING", "COMPLETED", "CANCELLED", "ERROR_RUNNING_JOB"]
        },
        backend=_object("name", name={"type": "string"}),
        name={"type": ["string", "null"]},
        tags={"type": "array", "items": {"type": "string"}},
        error=_object("message code", message={"type": "string"}, code={"type": "string"}),
        objectStorageInfo=_object("uploadUrl", uploadUrl={"type": "string"}),
        qObject={"type": "object", "description": "the Qobj (the job alone)"},
        qObjectResult={"type": "object", "description": "the result, once completed"},
    ),
    "CircuitJobSubmitted": _object("job", job=_ref("CircuitJob")),
    "CircuitJobs": {"type": "array", "items": _ref("CircuitJob")},
    "Qobj": {
        "type": "object",
        "required": ["experiments"],
        "description": "a QasmQobj as a dict (qiskit-terra's Qobj.to_dict())",
        "properties": {
            "type": {"const": "QASM"},
            "config": {"type": "object"},
            "experiments": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "required": ["instructions"],
                    "properties": {"instructions": {"type": "array"}},
                },
            },
        },
    },
    "Cancelled": _object("cancelled", cancelled={"type": "boolean"}, reason={"type": "string"}),
    "BackendNames": _object("devices", devices={"type": "array", "items": {"type": "string"}}),
    "Health": _object(
        "status version",
        status={"type": "string"},
        version={"type": "string"},
        schema_version={"type": "integer"},
        disk_bytes={"type": "integer"},
    ),
}

_ERRORS = {
    400: "bad input (the message names it)",
    401: "no token, or an invalid or revoked one",
    403: "the token's role does not allow it",
    404: "no such thing, or not visible to the caller",
    409: "conflicts with what exists",
    413: "the body is over the service's limit",
    501: "not something this service does (the message says what to use instead)",
}


def _operation(path: str, method: str) -> str:
    """An ``operationRef`` to ``method`` on ``path`` (JSON Pointer escapes: ~0 and ~1)."""
    return "#/paths/" + path.replace("~", "~0").replace("/", "~1") + "/" + method


def _uses(parameter: str, *operations: tuple[str, str]) -> dict[str, Any]:
    """OpenAPI links: each operation (path, method) takes the new ``id`` as ``parameter``."""
    return {
        f"{method} {path}": {
            "operationRef": _operation(path, method),
            "parameters": {parameter: "$response.body#/id"},
        }
        for path, method in operations
    }


#: What the id of a new program, job or token is for (OpenAPI links).
PROGRAM_LINKS = {
    **_uses(
        "program_id",
        ("/programs/{program_id}", "get"),
        ("/programs/{program_id}", "patch"),
        ("/programs/{program_id}/data", "put"),
        ("/programs/{program_id}/{visibility}", "put"),
        ("/programs/{program_id}", "delete"),
    ),
    "post /jobs": {
        "operationRef": _operation("/jobs", "post"),
        "requestBody": {"program_id": "$response.body#/id", "params": {}},
    },
}
JOB_LINKS = _uses(
    "job_id",
    ("/jobs/{job_id}", "get"),
    ("/jobs/{job_id}/results", "get"),
    ("/jobs/{job_id}/logs", "get"),
    ("/jobs/{job_id}/interim_results", "get"),
    ("/jobs/{job_id}/cancel", "post"),
    ("/jobs/{job_id}", "delete"),
)
TOKEN_LINKS = _uses("token_id", ("/tokens/{token_id}", "delete"))

#: The answer of a route that changes something and returns no body.
DONE: dict[int, dict[str, Any]] = {204: {"description": "done (no body)"}}


def json_answer(
    name: str, description: str = "OK", links: dict[str, Any] | None = None
) -> dict[str, Any]:
    answer = {"description": description, "content": {"application/json": {"schema": _ref(name)}}}
    return answer if links is None else {**answer, "links": links}


def text_answer(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"text/plain": {"schema": {"type": "string"}}}}


def documented(
    answers: dict[int, dict[str, Any]],
    *,
    errors: tuple[int, ...] = (),
    body: str | None = None,
    raw_body: str | None = None,
) -> dict[str, Any]:
    """Keyword arguments of a route decorator: its successful ``answers`` (status -> OpenAPI
    response), the error statuses it can answer, and the body it reads: the JSON shape named
    ``body``, or raw bytes that ``raw_body`` describes."""
    responses: dict[int | str, dict[str, Any]] = {
        status: answer for status, answer in answers.items()
    }
    for status in errors:
        responses[status] = json_answer("Error", _ERRORS[status])
    ok = answers[min(answers)]
    text = "text/plain" in ok.get("content", {})
    documented_route: dict[str, Any] = {
        "status_code": min(answers),
        "response_model": None,
        "response_class": PlainTextResponse if text else JSONResponse,
        "responses": responses,
    }
    media: dict[str, Any] | None = None
    if body is not None:
        media = {"application/json": {"schema": _ref(body)}}
    elif raw_body is not None:
        media = {
            "application/octet-stream": {"schema": {"type": "string", "description": raw_body}}
        }
    if media is not None:
        documented_route["openapi_extra"] = {"requestBody": {"required": True, "content": media}}
    return documented_route
