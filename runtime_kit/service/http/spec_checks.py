"""A program's ``spec`` checked at upload: the shape metadata v2 gives it, and JSON Schemas
that compile (so a job is never checked against, or run with, a schema that is not one).

``backend_requirements`` is an object (``min_num_qubits`` a positive integer);
``parameters``, ``return_values`` and ``interim_results`` are JSON Schemas that jsonschema-rs
compiles offline: no invalid regex, no unknown ``type``, no remote ``$ref``.  A key sent as
null counts as not declared (a legacy metadata file may say so).
"""

from __future__ import annotations

import functools
import json
from typing import Any

from runtime_kit.errors import SchemaDefinitionError
from runtime_kit.service.http.api import ApiError

#: The keys of a spec that hold JSON Schemas.
SCHEMA_KEYS = ("parameters", "return_values", "interim_results")


def checked_spec(spec: Any) -> dict[str, Any]:
    """``spec`` (an object or null) without its null keys, once every part is valid.

    Raises:
        ApiError: 400 naming the first part of ``spec`` that is not valid.
    """
    from runtime_kit.metadata.schema_validators import compile_schema, schema_errors

    if spec is None:
        return {}
    if not isinstance(spec, dict):
        raise ApiError(400, "spec must be an object")
    checked: dict[str, Any] = {str(key): value for key, value in spec.items() if value is not None}
    for error in schema_errors(_spec_validator(), checked)[:1]:
        where = "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in error.keys)
        raise ApiError(400, f"spec{where}: {error.message}")
    for key in SCHEMA_KEYS:
        if key in checked:
            try:
                compile_schema(checked[key])
            except SchemaDefinitionError as exc:
                raise ApiError(400, f"spec.{key}: {exc}") from exc
    return checked


@functools.cache
def _spec_validator() -> Any:
    """The validator of ``spec`` in metadata v2 (``schemas/metadata-v2.schema.json``)."""
    from runtime_kit.metadata.schema_validators import SCHEMAS_DIR, compile_schema

    metadata = json.loads((SCHEMAS_DIR / "metadata-v2.schema.json").read_text())
    return compile_schema(metadata["properties"]["spec"])
