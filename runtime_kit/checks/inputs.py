"""Example inputs (``inputs/*.json``) against the declared parameters, decode-aware."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from runtime_kit.errors import MetadataSyntaxError
from runtime_kit.findings import Finding, syntax_finding
from runtime_kit.metadata.document import load_document
from runtime_kit.wire_schema import input_label, input_problems


def check_inputs(
    path: Path,
    parameters: Any,
    *,
    main_takes_any: bool,
    v1_typed: Any = None,
    decoded_elsewhere: bool = False,
) -> list[Finding]:
    """Findings of one inputs file against ``parameters`` (the spec.parameters schema).

    Args:
        parameters: the declared schema, or None when nothing is declared (or the metadata
            cannot be read): then only the file and its encoded values are checked.
        main_takes_any: main() has **kwargs, so undeclared inputs still reach it.
        v1_typed: for v1 metadata, its parameters with their v1 types as JSON Schema types:
            a value of another type is a warning (IBM's service did not check v1 types).
        decoded_elsewhere: the program's own environment decodes its inputs (a ``settings``
            object of any class is taken as it is).
    """
    try:
        doc = load_document(path)
    except MetadataSyntaxError as exc:
        return syntax_finding(exc)
    if not isinstance(doc.data, dict):
        return [Finding.of(path, (1, 1), "RK501", "inputs must be a JSON object of parameters")]
    problems = input_problems(doc.data, parameters, decoded_elsewhere=decoded_elsewhere)
    findings = [
        Finding.of(
            path,
            doc.position(problem.keys),
            "RK503" if problem.undecodable else "RK501",
            f"{input_label(problem.keys)}: {problem.message}",
        )
        for problem in problems
    ]
    if any(problem.undecodable for problem in problems):
        return findings
    if v1_typed is not None:
        reported = {problem.keys for problem in problems}
        findings += [
            Finding.of(
                path,
                doc.position(problem.keys),
                "RK504",
                f"{input_label(problem.keys)}: {problem.message} (its v1 type; taken all the "
                "same, as IBM's service did not check v1 types)",
            )
            for problem in input_problems(doc.data, v1_typed)
            if problem.keys not in reported
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
