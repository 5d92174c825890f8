"""JSON Schema validation with jsonschema-rs: metadata, meta-schemas, programs' own schemas.

jsonschema-rs builds a validator in microseconds and ships the meta-schemas of every draft,
so nothing is generated, cached or fetched (``offline=True``: a remote ``$ref`` is an
error, never a network request).  Python's jsonschema would cost ~140 ms of import on
every ``validate`` run.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any, NamedTuple

SCHEMAS_DIR = Path(__file__).resolve().parent.parent / "schemas"

#: $schema URIs (without a trailing '#') -> the jsonschema-rs validator class for them.
DIALECTS = {
    "http://json-schema.org/draft-04/schema": "Draft4Validator",
    "http://json-schema.org/draft-06/schema": "Draft6Validator",
    "http://json-schema.org/draft-07/schema": "Draft7Validator",
    "https://json-schema.org/draft/2019-09/schema": "Draft201909Validator",
    "https://json-schema.org/draft/2020-12/schema": "Draft202012Validator",
}
#: What the legacy metadata files declare; also assumed when a schema declares nothing.
DEFAULT_DIALECT_URI = "https://json-schema.org/draft/2019-09/schema"

Validator = Any  # a jsonschema_rs validator


class SchemaError(NamedTuple):
    """One way an instance fails a schema."""

    #: Keys from the instance's root to the failing value.
    keys: tuple[str | int, ...]
    #: jsonschema-rs's sentence, e.g. ``0 is less than the minimum of 1``.
    message: str
    #: The schema keyword that failed (``type``, ``required``, ``anyOf``...).
    keyword: str
    #: The failing value.
    instance: Any
    #: For ``required``: the missing property.
    missing: str | None = None


def dialect_of(uri: str) -> str | None:
    """The canonical form of a known ``$schema`` URI, or None."""
    uri = uri.rstrip("#")
    return uri if uri in DIALECTS else None


@functools.cache
def metadata_validator(version: int) -> Validator:
    """Validator of metadata v1 or v2 against ``schemas/metadata-v<version>.schema.json``."""
    schema = json.loads((SCHEMAS_DIR / f"metadata-v{version}.schema.json").read_text())
    return _build(schema)


@functools.cache
def metaschema_validator(dialect: str) -> Validator:
    """Validator of schemas written in ``dialect`` (a canonical $schema URI)."""
    return _build({"$ref": dialect}, dialect)


def compile_schema(schema: Any) -> Validator:
    """Validator for a program's own declared schema (its $schema, else draft 2019-09).

    Raises:
        SchemaDefinitionError: the schema is not a valid JSON Schema (a bad regex, a
            remote ``$ref``...).
    """
    from runtime_kit.errors import SchemaDefinitionError

    declared = schema.get("$schema") if isinstance(schema, dict) else None
    dialect = dialect_of(declared) if isinstance(declared, str) else None
    if isinstance(schema, dict) and declared is not None and dialect is None:
        schema = {k: v for k, v in schema.items() if k != "$schema"}  # unknown: never fetched
    try:
        return _build(schema, dialect or DEFAULT_DIALECT_URI)
    except (ValueError, TypeError) as exc:  # jsonschema_rs.ValidationError is a ValueError
        reason = str(exc).split("\n", 1)[0]
        raise SchemaDefinitionError(f"invalid JSON Schema: {reason}") from exc


def schema_errors(validator: Validator, instance: Any) -> list[SchemaError]:
    """Every violation of ``instance`` (empty when it is valid)."""
    return [
        SchemaError(
            tuple(error.instance_path),
            error.message,
            str(error.schema_path[-1]) if error.schema_path else "",
            error.instance,
            getattr(error.kind, "property", None)
            if error.schema_path[-1:] == ["required"]
            else None,
        )
        for error in validator.iter_errors(instance)
    ]


def _build(schema: Any, dialect: str = "http://json-schema.org/draft-07/schema") -> Validator:
    import jsonschema_rs

    declared = schema.get("$schema") if isinstance(schema, dict) else None
    uri = dialect_of(declared) if isinstance(declared, str) else None
    validator_class = getattr(jsonschema_rs, DIALECTS[uri or dialect])
    return validator_class(schema, offline=True)
