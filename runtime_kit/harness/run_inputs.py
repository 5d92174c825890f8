"""The inputs of one run: read, merged with ``--param`` values, checked, as wire text."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from runtime_kit.errors import InputValueError
from runtime_kit.harness.spec import ProgramSpec


def prepare_inputs(
    spec: ProgramSpec,
    inputs: Mapping[str, Any] | str | Path | None,
    inputs_text: str | None,
    params: Mapping[str, Any] | None,
) -> tuple[str, list[str]]:
    """The wire-format text to hand to ``main()``, and warnings about it.

    Raises:
        InputValueError: unreadable inputs, values that fail ``spec.parameters``, or inputs
            that ``main()`` cannot take (every problem, one per line), before anything runs.
    """
    values = _read(spec, inputs, inputs_text)
    if params:
        values.update(_encoded(dict(params)))
    problems = _problems(values, spec.declared("parameters"), spec.own_environment)
    problems += [
        f"input {name!r}: main() has neither such a parameter nor **kwargs to take it"
        for name in values
        if not (spec.main_takes_kwargs or name in spec.main_parameters)
    ]
    if problems:
        raise InputValueError("\n".join(problems), name=None)
    declared = spec.declared("parameters")
    properties = declared.get("properties") if isinstance(declared, dict) else None
    warnings = []
    if isinstance(properties, dict):
        warnings = [
            f"input {name!r} is not declared in spec.parameters"
            for name in values
            if name not in properties
        ]
    return json.dumps(values), warnings


def seed_inputs(text: str) -> dict[str, Any]:
    """The inputs in wire-format ``text`` named like seeds (``seed``, ``seed_simulator``,
    ``random_seed``, ...) and given a value."""
    values = json.loads(text)
    return {
        name: value
        for name, value in values.items()
        if value is not None and "seed" in name.lower().split("_")
    }


def parse_param(assignment: str) -> tuple[str, Any]:
    """``key=value`` -> (key, value): the value as JSON when it parses, else as a string."""
    key, sep, raw = assignment.partition("=")
    if not sep or not key.strip():
        raise InputValueError(f"--param {assignment!r}: expected key=value", name="param")
    try:
        return key.strip(), json.loads(raw)
    except json.JSONDecodeError:
        return key.strip(), raw


def _read(
    spec: ProgramSpec, inputs: Mapping[str, Any] | str | Path | None, text: str | None
) -> dict[str, Any]:
    if text is not None:
        return parse_inputs(text, "inputs")
    if isinstance(inputs, Mapping):
        return _encoded(dict(inputs))
    file = Path(inputs) if inputs is not None else spec.inputs_example
    return {} if file is None else read_inputs(file)


def read_inputs(path: Path) -> dict[str, Any]:
    """The wire-format inputs in the JSON file ``path`` (values stay encoded).

    Raises:
        InputValueError: unreadable, not JSON (with line and column), or not an object.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputValueError(f"{path}: cannot read inputs ({exc})", name=None) from exc
    return parse_inputs(text, str(path))


def parse_inputs(text: str, source: str) -> dict[str, Any]:
    """``text`` as a JSON object of wire-format inputs; errors name ``source``."""
    try:
        values = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        where = f"{exc.lineno}:{exc.colno}: " if isinstance(exc, json.JSONDecodeError) else ""
        raise InputValueError(f"{source}:{where}inputs are not valid JSON ({exc})") from exc
    if not isinstance(values, dict):
        raise InputValueError(f"{source}: inputs must be a JSON object of parameter values")
    return values


def _encoded(values: dict[str, Any]) -> dict[str, Any]:
    from runtime_kit.serialization import RuntimeEncoder

    encoded: dict[str, Any] = json.loads(json.dumps(values, cls=RuntimeEncoder))
    return encoded


def _problems(values: dict[str, Any], schema: Any, decoded_elsewhere: bool) -> list[str]:
    from runtime_kit.wire_schema import input_label, input_problems

    found = input_problems(values, schema, decoded_elsewhere=decoded_elsewhere)
    return [f"{input_label(p.keys)}: {p.message}" for p in found]
