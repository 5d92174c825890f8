"""Checks of a metadata document: its own schema (v1 or v2) and the schemas it declares."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from runtime_kit.findings import Finding
from runtime_kit.metadata.document import MetadataDocument
from runtime_kit.metadata.keywords import unknown_keywords
from runtime_kit.metadata.schema_validators import (
    DEFAULT_DIALECT_URI,
    dialect_of,
    metadata_validator,
    metaschema_validator,
    schema_errors,
)

V2_FIELDS = {"name", "description", "max_execution_time", "is_public", "version", "spec"}
V1_FIELDS = {
    "name",
    "description",
    "max_execution_time",
    "is_public",
    "version",
    "backend_requirements",
    "parameters",
    "return_values",
    "interim_results",
}
SPEC_FIELDS = {"backend_requirements", "parameters", "return_values", "interim_results"}
DECLARED = ("parameters", "return_values", "interim_results")

Keys = tuple[str | int, ...]
_TYPES = ("array", "boolean", "integer", "null", "number", "object", "string")


def metadata_version(data: Any) -> int:
    """1 for the flat-list format (reference §2.2), else 2."""
    if isinstance(data, dict) and (
        any(isinstance(data.get(key), list) for key in DECLARED) or "backend_requirements" in data
    ):
        return 1
    return 2


def as_v2(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` in the v2 form: v1 metadata migrated in memory, as ``migrate`` writes it but
    with the parameters' v1 types left unchecked (IBM's service did not check them).

    Raises:
        MigrationError: v1 metadata that cannot be migrated (an entry without a name...).
    """
    if metadata_version(data) == 2:
        return data
    from runtime_kit.metadata.migrate import migrate_metadata

    return migrate_metadata(data, typed_parameters=False)[0]


def load_v2(path: Path) -> dict[str, Any]:
    """The metadata file at ``path`` (JSON or YAML, v1 or v2) in the v2 form.

    Raises:
        MetadataSyntaxError: unreadable, not JSON/YAML, or not an object.
        MigrationError: v1 metadata that cannot be migrated.
    """
    from runtime_kit.errors import MetadataSyntaxError
    from runtime_kit.metadata.document import load_document

    data = load_document(path).data
    if not isinstance(data, dict):
        raise MetadataSyntaxError(
            "metadata must be a JSON/YAML object", path=str(path), line=1, col=1
        )
    return as_v2(data)


def check_metadata(doc: MetadataDocument) -> list[Finding]:
    """Every finding of the metadata document, declared schemas included."""
    data = doc.data
    if not isinstance(data, dict):
        return [
            Finding.of(
                doc.path, (1, 1), "RK102", f"metadata must be an object, not {_json_type(data)}"
            )
        ]
    version = metadata_version(data)
    findings: list[Finding] = []
    if version == 1:
        findings.append(
            Finding.of(
                doc.path,
                (1, 1),
                "RK104",
                f"v1 metadata (flat lists) is deprecated: run `runtime-kit migrate {doc.path}`",
            )
        )
    findings += _schema_findings(doc, version)
    known = V1_FIELDS if version == 1 else V2_FIELDS
    findings += [
        Finding.of(
            doc.path,
            doc.position((key,)),
            "RK103",
            f"unknown field {key!r}: runtime services ignore it",
        )
        for key in data
        if key not in known
    ]
    spec = data.get("spec")
    if version == 2 and isinstance(spec, dict):
        findings += [
            Finding.of(
                doc.path,
                doc.position(("spec", key)),
                "RK103",
                f"unknown field 'spec.{key}': runtime services ignore it",
            )
            for key in spec
            if key not in SPEC_FIELDS
        ]
        for key in DECLARED:
            if key in spec:
                findings += check_declared_schema(doc, ("spec", key), spec[key])
    description = data.get("description")
    if description is None or (isinstance(description, str) and not description.strip()):
        findings.append(
            Finding.of(
                doc.path,
                doc.position(("description",) if "description" in data else ()),
                "RK108",
                "description is missing or empty: qiskit-ibmq-provider refuses to upload "
                "without one",
            )
        )
    return findings


def _schema_findings(doc: MetadataDocument, version: int) -> Iterator[Finding]:
    for error in schema_errors(metadata_validator(version), doc.data):
        keys = error.keys
        if len(keys) == 2 and keys[0] == "spec" and keys[1] in DECLARED:
            continue  # a declared schema that is not one: check_declared_schema says so
        if error.keyword == "required" and error.missing is not None:
            yield Finding.of(
                doc.path,
                doc.position(keys),
                "RK101",
                f"required field {_dotted((*keys, error.missing))!r} is missing",
            )
            continue
        code = _code_for(keys)
        message = _FRIENDLY.get(code, "{keys}: {message}").format(
            keys=_dotted(keys), message=error.message, value=error.instance
        )
        yield Finding.of(doc.path, doc.position(keys), code, message)


_FRIENDLY = {
    "RK105": "invalid name {value!r}: use 1-64 letters, digits, '-', '_' or '.', "
    "starting with a letter or digit",
    "RK106": "max_execution_time must be a positive integer (seconds), not {value!r}",
}


def _code_for(keys: Keys) -> str:
    if keys == ("name",):
        return "RK105"
    if keys == ("max_execution_time",):
        return "RK106"
    if keys[:2] in (("spec", "backend_requirements"), ("backend_requirements",)):
        return "RK107"
    return "RK102"


def check_declared_schema(doc: MetadataDocument, keys: Keys, schema: Any) -> list[Finding]:
    """A declared JSON Schema must be valid, and its ``required`` names must exist."""
    if isinstance(schema, bool):
        return []
    if not isinstance(schema, dict):
        return [
            Finding.of(
                doc.path,
                doc.position(keys),
                "RK201",
                f"{_dotted(keys)} must be a JSON Schema object",
            )
        ]
    findings = []
    uri = schema.get("$schema", DEFAULT_DIALECT_URI)
    dialect = dialect_of(uri) if isinstance(uri, str) else None
    if dialect is None:
        findings.append(
            Finding.of(
                doc.path,
                doc.position((*keys, "$schema")),
                "RK203",
                f"unknown $schema {uri!r}: checked as draft 2019-09",
            )
        )
        dialect = DEFAULT_DIALECT_URI
    for error in schema_errors(metaschema_validator(dialect), schema):
        inner = keys + error.keys
        message = error.message
        if inner[-1] == "type" and error.keyword == "anyOf":
            message = f"{error.instance!r} is not a JSON Schema type ({', '.join(_TYPES)})"
        findings.append(
            Finding.of(doc.path, doc.position(inner), "RK201", f"{_dotted(inner)}: {message}")
        )
    if keys[-1] == "parameters" and "type" in schema:
        kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if "object" not in kinds:
            findings.append(
                Finding.of(
                    doc.path,
                    doc.position((*keys, "type")),
                    "RK204",
                    f"{_dotted(keys)} must have type 'object' (the inputs "
                    f"are keyword arguments), not {schema['type']!r}",
                )
            )
    findings += _pattern_findings(doc, keys, schema)
    findings += _required_findings(doc, keys, schema)
    findings += [
        Finding.of(doc.path, doc.position(inner), "RK205", f"{_dotted(inner)}: {message}")
        for inner, message in unknown_keywords(schema, dialect, keys)
    ]
    return findings


def _required_findings(doc: MetadataDocument, keys: Keys, schema: Any) -> Iterator[Finding]:
    """``required`` names missing from ``properties``, in this schema and nested ones."""
    if not isinstance(schema, dict):
        return
    properties = schema.get("properties")
    required = schema.get("required")
    if isinstance(properties, dict) and isinstance(required, list):
        for index, name in enumerate(required):
            if isinstance(name, str) and name not in properties:
                yield Finding.of(
                    doc.path,
                    doc.position((*keys, "required", index)),
                    "RK202",
                    f"{_dotted(keys)}: required {name!r} is not in properties",
                )
    if isinstance(properties, dict):
        for name, subschema in properties.items():
            yield from _required_findings(doc, (*keys, "properties", name), subschema)
    if isinstance(schema.get("items"), dict):
        yield from _required_findings(doc, (*keys, "items"), schema["items"])


def _pattern_findings(doc: MetadataDocument, keys: Keys, schema: Any) -> Iterator[Finding]:
    if not isinstance(schema, dict):
        return
    pattern = schema.get("pattern")
    if isinstance(pattern, str):
        try:
            re.compile(pattern)
        except re.error as exc:
            yield Finding.of(
                doc.path,
                doc.position((*keys, "pattern")),
                "RK201",
                f"{_dotted((*keys, 'pattern'))}: invalid regular expression ({exc})",
            )
    for name, subschema in (
        (schema.get("properties") or {}).items()
        if isinstance(schema.get("properties"), dict)
        else ()
    ):
        yield from _pattern_findings(doc, (*keys, "properties", name), subschema)
    if isinstance(schema.get("items"), dict):
        yield from _pattern_findings(doc, (*keys, "items"), schema["items"])


def _dotted(keys: Keys) -> str:
    out = ""
    for key in keys:
        out += f"[{key}]" if isinstance(key, int) else (f".{key}" if out else str(key))
    return out or "metadata"


def _json_type(value: Any) -> str:
    return {
        dict: "an object",
        list: "an array",
        str: "a string",
        bool: "a boolean",
        type(None): "null",
    }.get(type(value), "a number")
