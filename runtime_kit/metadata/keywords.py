"""The keywords each JSON Schema draft knows, and the ones a schema uses that its draft
does not: a validator ignores those silently (``prefixItems`` under draft 2019-09 checks
nothing), so ``validate`` warns about them (RK205)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

_DRAFT4 = frozenset({
    "$schema", "id", "$ref", "title", "description", "default", "multipleOf", "maximum",
    "exclusiveMaximum", "minimum", "exclusiveMinimum", "maxLength", "minLength", "pattern",
    "additionalItems", "items", "maxItems", "minItems", "uniqueItems", "maxProperties",
    "minProperties", "required", "additionalProperties", "definitions", "properties",
    "patternProperties", "dependencies", "enum", "type", "allOf", "anyOf", "oneOf", "not",
    "format",
})  # fmt: skip
_DRAFT6 = (_DRAFT4 - {"id"}) | {"$id", "const", "contains", "propertyNames", "examples"}
_DRAFT7 = _DRAFT6 | {
    "$comment", "if", "then", "else", "readOnly", "writeOnly", "contentMediaType",
    "contentEncoding",
}  # fmt: skip
_DRAFT2019 = _DRAFT7 | {
    "$defs", "$anchor", "$recursiveRef", "$recursiveAnchor", "$vocabulary", "dependentSchemas",
    "dependentRequired", "unevaluatedItems", "unevaluatedProperties", "maxContains",
    "minContains", "deprecated", "contentSchema",
}  # fmt: skip
_DRAFT2020 = (_DRAFT2019 - {"$recursiveRef", "$recursiveAnchor", "additionalItems"}) | {
    "$dynamicRef", "$dynamicAnchor", "prefixItems",
}  # fmt: skip

#: dialect URI -> (its name, the keywords it knows)
DRAFTS = {
    "http://json-schema.org/draft-04/schema": ("draft-04", _DRAFT4),
    "http://json-schema.org/draft-06/schema": ("draft-06", _DRAFT6),
    "http://json-schema.org/draft-07/schema": ("draft-07", _DRAFT7),
    "https://json-schema.org/draft/2019-09/schema": ("draft 2019-09", _DRAFT2019),
    "https://json-schema.org/draft/2020-12/schema": ("draft 2020-12", _DRAFT2020),
}

#: Where subschemas sit: maps of them, lists of them, and single ones ("items" and
#: "dependencies" may also hold other things).
_SCHEMA_MAPS = ("properties", "patternProperties", "definitions", "$defs", "dependentSchemas",
                "dependencies")  # fmt: skip
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SCHEMAS = ("additionalProperties", "additionalItems", "contains", "propertyNames", "not",
            "if", "then", "else", "unevaluatedItems", "unevaluatedProperties",
            "contentSchema")  # fmt: skip

Keys = tuple[str | int, ...]


def unknown_keywords(schema: Any, dialect: str, keys: Keys = ()) -> Iterator[tuple[Keys, str]]:
    """(keys to the keyword, a message) for each keyword of ``schema`` and its subschemas
    that the draft ``dialect`` (a known URI) does not know."""
    if not isinstance(schema, dict):
        return
    name, known = DRAFTS[dialect]
    for keyword in schema:
        if keyword not in known:
            yield (*keys, keyword), _message(keyword, name)
    for keyword, value in schema.items():
        if keyword not in known:
            continue
        if keyword in _SCHEMA_MAPS and isinstance(value, dict):
            for key, subschema in value.items():
                yield from unknown_keywords(subschema, dialect, (*keys, keyword, key))
        elif (keyword in _SCHEMA_LISTS or keyword == "items") and isinstance(value, list):
            for index, subschema in enumerate(value):
                yield from unknown_keywords(subschema, dialect, (*keys, keyword, index))
        elif keyword in _SCHEMAS or keyword == "items":
            yield from unknown_keywords(value, dialect, (*keys, keyword))


def _message(keyword: str, draft: str) -> str:
    elsewhere = [(uri, other) for uri, (other, known) in DRAFTS.items() if keyword in known]
    if not elsewhere:
        return f"unknown keyword {keyword!r}: {draft} ignores it"
    uri, other = elsewhere[-1]
    return (
        f"{keyword!r} is not a keyword of {draft}, which ignores it ({other} knows it: "
        f'declare "$schema": "{uri}")'
    )
