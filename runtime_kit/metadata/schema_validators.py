"""Compiled JSON Schema validators (fastjsonschema), built once per process.

jsonschema takes ~140 ms to import; ``validate`` runs on every commit, so the metadata
schemas and the meta-schemas are compiled to Python by fastjsonschema instead (~2 ms each).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import marshal
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

SCHEMAS_DIR = Path(__file__).resolve().parent.parent / "schemas"

#: $schema URIs -> the meta-schema checked against.  fastjsonschema knows drafts 4, 6 and 7;
#: 2019-09 and 2020-12 schemas are checked with the draft-07 meta-schema, which accepts
#: their extra keywords unchecked.
DIALECTS = {
    "http://json-schema.org/draft-04/schema": "draft4",
    "http://json-schema.org/draft-06/schema": "draft6",
    "http://json-schema.org/draft-07/schema": "draft7",
    "https://json-schema.org/draft/2019-09/schema": "draft7",
    "https://json-schema.org/draft/2020-12/schema": "draft7",
}
DEFAULT_DIALECT_URI = "https://json-schema.org/draft/2019-09/schema"

Validator = Callable[[Any], Any]


def dialect_of(uri: str) -> str | None:
    return DIALECTS.get(uri.rstrip("#"))


@functools.cache
def metadata_validator(version: int) -> Validator:
    """Validator of metadata v1 or v2 against ``schemas/metadata-v<version>.schema.json``."""
    schema = json.loads((SCHEMAS_DIR / f"metadata-v{version}.schema.json").read_text())
    return _compile(schema)


@functools.cache
def metaschema_validator(dialect: str) -> Validator:
    """Validator of schemas against the ``dialect`` meta-schema (from jsonschema-specifications,
    read from its files so that neither it nor jsonschema is imported)."""
    spec = importlib.util.find_spec("jsonschema_specifications")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("jsonschema-specifications is not installed")
    path = Path(spec.submodule_search_locations[0]) / "schemas" / dialect / "metaschema.json"
    return _compile(json.loads(path.read_text()))


class SchemaValueError(ValueError):
    """One schema violation, raised or collected by compiled validators.

    The constructor matches what fastjsonschema's generated code calls, so cached code runs
    without importing fastjsonschema (~20 ms).
    """

    def __init__(
        self,
        message: str,
        value: Any = None,
        name: str | None = None,
        definition: Any = None,
        rule: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.value = value
        self.name = name or "data"
        self.definition = definition
        self.rule = rule


class SchemaValuesError(ValueError):
    """All violations of one validation (``fast_fail=False``)."""

    def __init__(self, errors: list[SchemaValueError]) -> None:
        super().__init__("; ".join(error.message for error in errors))
        self.errors = errors


_IMPORT_LINE = "from fastjsonschema import JsonSchemaValueException, JsonSchemaValuesException"


@functools.cache
def _compile_cached(schema_json: str) -> Validator:
    """Python code for ``schema``, generated once; its bytecode is kept in the cache
    directory (compiling the meta-schema's ~60 kB of code costs more than running it)."""
    from runtime_kit.config import cache_dir

    digest = hashlib.sha256(schema_json.encode()).hexdigest()[:24]
    tag = sys.implementation.cache_tag
    path = cache_dir() / "validators" / f"{digest}.{tag}.marshal"
    source = None
    try:
        code = marshal.loads(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        source = _generate(schema_json)
        code = compile(source, f"<runtime-kit validator {digest}>", "exec")
        _store(path, marshal.dumps(code))
    namespace: dict[str, Any] = {}
    exec(code, namespace)
    return _entry_point(namespace)


def _entry_point(namespace: dict[str, Any]) -> Validator:
    # fastjsonschema names functions after the schema's $id; the entry point comes first.
    entries = [value for key, value in namespace.items() if key.startswith("validate")]
    if not entries:
        raise RuntimeError("no validator in generated code")
    return entries[0]  # type: ignore[no-any-return]


def _generate(schema_json: str) -> str:
    import fastjsonschema

    code = fastjsonschema.compile_to_code(
        json.loads(schema_json), fast_fail=False, use_formats=False
    )
    return code.replace(
        _IMPORT_LINE,
        "from runtime_kit.metadata.schema_validators import (\n"
        "    SchemaValueError as JsonSchemaValueException,\n"
        "    SchemaValuesError as JsonSchemaValuesException,\n)",
    )


def _store(path: Path, data: bytes) -> bool:
    """Write the cache entry atomically; a cache that cannot be written is only slower."""
    import tempfile

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            "wb", dir=path.parent, delete=False, suffix=".tmp"
        ) as handle:
            handle.write(data)
        os.replace(handle.name, path)
    except OSError:
        return False
    return True


def _compile(schema: Any) -> Validator:
    return _compile_cached(json.dumps(schema, sort_keys=True))


def compile_schema(schema: Any) -> Validator:
    """Validator for a program's own declared schema (cached by content).

    Raises:
        SchemaDefinitionError: the schema is not a valid JSON Schema (a bad regex, ...).
    """
    from runtime_kit.errors import SchemaDefinitionError

    try:
        return _compile(schema)
    except Exception as exc:  # the generator fails on bad schemas in many ways
        raise SchemaDefinitionError(f"invalid JSON Schema ({exc})") from exc


def schema_errors(validator: Validator, instance: Any) -> list[SchemaValueError]:
    """Every violation of ``instance`` (empty when it is valid)."""
    try:
        validator(instance)
    except SchemaValuesError as exc:
        return list(exc.errors)
    except SchemaValueError as exc:
        return [exc]
    return []
