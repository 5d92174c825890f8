"""Example inputs (``inputs/*.json``) against the declared parameters, decode-aware."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from runtime_kit.errors import DecodeError, MetadataSyntaxError, SchemaDefinitionError
from runtime_kit.findings import Finding, syntax_finding
from runtime_kit.metadata.document import load_document
from runtime_kit.serialization.envelopes import envelope_problems
from runtime_kit.wire_schema import check


def check_inputs(path: Path, parameters: Any, *, main_takes_any: bool) -> list[Finding]:
    """Findings of one inputs file against ``parameters`` (the spec.parameters schema).

    Args:
        parameters: the declared schema, or None when nothing is declared (or the metadata
            cannot be read): then only the file and its encoded values are checked.
        main_takes_any: main() has **kwargs, so undeclared inputs still reach it.
    """
    try:
        doc = load_document(path)
    except MetadataSyntaxError as exc:
        return [syntax_finding(exc)]
    if not isinstance(doc.data, dict):
        return [Finding.of(path, (1, 1), "RK501", "inputs must be a JSON object of parameters")]
    problems = envelope_problems(doc.data)
    if problems:
        return [
            Finding.of(path, doc.position(keys), "RK503", f"input {_name(keys)}: {reason}")
            for keys, reason in problems
        ]
    if not isinstance(parameters, dict | bool):
        return []
    try:
        violations = check(doc.data, parameters)
    except SchemaDefinitionError:
        violations = []  # the metadata check reports the schema itself (RK201)
    except DecodeError as exc:
        return [Finding.of(path, (1, 1), "RK503", f"cannot decode inputs: {exc}")]
    findings = [
        Finding.of(path, doc.position(v.keys), "RK501", f"input {_name(v.keys)}: {v.message}")
        for v in violations
    ]
    declared = parameters.get("properties") if isinstance(parameters, dict) else None
    if isinstance(declared, dict):
        reach = "main() takes it through **kwargs" if main_takes_any else "main() would reject it"
        findings += [
            Finding.of(
                path,
                doc.position((key,)),
                "RK502",
                f"input {key!r} is not declared in spec.parameters ({reach})",
            )
            for key in doc.data
            if key not in declared
        ]
    return findings


def _name(keys: tuple[str | int, ...]) -> str:
    if not keys:
        return "object"
    return repr(keys[0]) + "".join(f"[{k!r}]" for k in keys[1:])
