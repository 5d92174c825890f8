"""``ParameterNamespace``: a program's declared inputs as attributes, with validation."""

from __future__ import annotations

from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any

from runtime_kit.errors import InputValueError


class ParameterNamespace(SimpleNamespace):
    """One attribute per declared parameter (``None`` until set), checked by ``validate()``.

    Args:
        parameters: the ``spec.parameters`` JSON Schema (v2 metadata), or the v1 list of
            ``{"name", "description", "type", "required"}`` entries.

    Unlike the legacy namespace, ``vars(namespace)`` holds only parameter values: the schema
    lives in slots, so it is never sent to a program as an input.
    """

    __slots__ = ("_declared", "_required", "_schema")

    def __init__(self, parameters: Mapping[str, Any] | list[Mapping[str, Any]]) -> None:
        super().__init__()
        if isinstance(parameters, list):  # v1: free-text types, only "required" is checkable
            declared = {entry["name"]: dict(entry) for entry in parameters}
            required = [entry["name"] for entry in parameters if entry.get("required")]
        else:
            declared = dict(parameters.get("properties", {}))
            required = list(parameters.get("required", []))
        object.__setattr__(self, "_schema", parameters)
        object.__setattr__(self, "_declared", declared)
        object.__setattr__(self, "_required", required)
        for name in declared:
            setattr(self, name, None)

    @property
    def metadata(self) -> Mapping[str, Any] | list[Mapping[str, Any]]:
        """The parameters exactly as given (the JSON Schema, or the v1 list)."""
        schema: Mapping[str, Any] | list[Mapping[str, Any]] = self._schema
        return schema

    def to_dict(self) -> dict[str, Any]:
        """Each declared parameter's schema, by name (as qiskit-ibm-runtime returned)."""
        return dict(self._declared)

    def inputs(self) -> dict[str, Any]:
        """The values to send: every attribute that is set (not ``None``)."""
        return {name: value for name, value in vars(self).items() if value is not None}

    def validate(self) -> None:
        """Check that required parameters are set and that values match their schema.

        Raises:
            InputValueError: naming every failing parameter, one per line.
        """
        problems = [
            f"Param ({name}) missing required value!"
            for name in self._required
            if getattr(self, name, None) is None
        ]
        if isinstance(self._schema, Mapping):
            from runtime_kit.wire_schema import check_python

            schema = {key: value for key, value in self._schema.items() if key != "required"}
            problems += [
                f"Param ({_parameter_of(v.path)}): {v.message}"
                for v in check_python(self.inputs(), schema)
            ]
        if problems:
            first = problems[0].split(")", 1)[0].removeprefix("Param (")
            raise InputValueError("\n".join(problems), name=first)

    def __str__(self) -> str:
        header = "| {:10.10} | {:12.12} | {:12.12} | {:8.8} | {:>15} |".format(
            "Name", "Value", "Type", "Required", "Description"
        )
        rows = [
            # The missing space before the fourth pipe is the legacy layout, kept on purpose.
            "| {:10.10} | {:12.12} | {:12.12}| {:8.8} | {:>15} |".format(
                name,
                str(getattr(self, name, None)),
                str(schema.get("type", "None")),
                str(name in self._required),
                str(schema.get("description", "None")),
            )
            for name, schema in self._declared.items()
        ]
        return "ParameterNamespace (Values):\n{}\n{}\n{}".format(
            header, "-" * len(header), "\n".join(rows)
        )


def _parameter_of(path: str) -> str:
    return path.removeprefix("$.").split(".")[0].split("[")[0] or "$"
