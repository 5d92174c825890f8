"""Example inputs (``inputs/*.json``) against the declared parameters, decode-aware."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from runtime_kit.errors import DecodeError, MetadataSyntaxError
from runtime_kit.findings import Finding
from runtime_kit.metadata.document import load_document
from runtime_kit.wire_schema import check


def check_inputs(path: Path, parameters: Any, *, main_takes_any: bool) -> list[Finding]:
    """Findings of one inputs file against ``parameters`` (the spec.parameters schema).

    Args:
        main_takes_any: main() has **kwargs, so undeclared inputs still reach it.
    """
    try:
        doc = load_document(path)
    except MetadataSyntaxError as exc:
        code = "RK002" if exc.line else "RK001"
        return [Finding.of(path, (max(exc.line, 1), max(exc.col, 1)), code, exc.reason)]
    if not isinstance(doc.data, dict):
        return [Finding.of(path, (1, 1), "RK501", "inputs must be a JSON object of parameters")]
    try:
        from runtime_kit.serialization import RuntimeDecoder

        json.loads(doc.text, cls=RuntimeDecoder)
        violations = check(doc.data, parameters) if isinstance(parameters, dict | bool) else []
    except DecodeError as exc:
        return [Finding.of(path, (1, 1), "RK503", f"cannot decode inputs: {exc}")]
    findings = [
        Finding.of(path, doc.position(v.keys), "RK501", f"input {_name(v.keys)}: {v.message}")
        for v in violations
    ]
    declared = parameters.get("properties", {}) if isinstance(parameters, dict) else {}
    for key in doc.data:
        if isinstance(declared, dict) and key not in declared:
            reach = (
                "main() takes it through **kwargs" if main_takes_any else ("main() would reject it")
            )
            findings.append(
                Finding.of(
                    path,
                    doc.position((key,)),
                    "RK502",
                    f"input {key!r} is not declared in spec.parameters ({reach})",
                )
            )
    return findings


def _name(keys: tuple[str | int, ...]) -> str:
    if not keys:
        return "object"
    return repr(keys[0]) + "".join(f"[{k!r}]" for k in keys[1:])
