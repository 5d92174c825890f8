"""``RuntimeProgram``: a program as the service describes it (reference §6.2)."""

from __future__ import annotations

import json
from typing import Any


class RuntimeProgram:
    """A program on a runtime service: metadata, spec, version(s), and (for its owner) data."""

    def __init__(self, raw: dict[str, Any]) -> None:
        spec = raw.get("spec") or {}
        self.program_id: str = raw["id"]
        self.name: str = raw.get("name", "")
        self.description: str = raw.get("description", "")
        self.max_execution_time: int = raw.get("cost", 0)
        self.is_public: bool = bool(raw.get("is_public", False))
        self.creation_date: str = raw.get("creation_date", "")
        self.update_date: str = raw.get("update_date", "")
        self.version: str = str(raw.get("version", "0"))
        self.versions: list[str] = [str(v) for v in raw.get("versions", [self.version])]
        self.data: str = raw.get("data", "")
        self.data_kind: str = raw.get("data_kind", "source")
        self.backend_requirements: dict[str, Any] = spec.get("backend_requirements") or {}
        self.spec_parameters: dict[str, Any] = spec.get("parameters") or {}
        self.return_values: dict[str, Any] = spec.get("return_values") or {}
        self.interim_results: dict[str, Any] = spec.get("interim_results") or {}

    def data_bytes(self) -> bytes:
        """The uploaded bytes (source text, or the zip bundle); empty if not shown to us."""
        if self.data_kind == "zip":
            import base64

            return base64.b64decode(self.data)
        return self.data.encode()

    def parameters(self) -> Any:
        """A ``ParameterNamespace`` of the declared inputs, to fill and ``validate()``."""
        from runtime_kit.program.namespace import ParameterNamespace

        return ParameterNamespace(self.spec_parameters)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.program_id,
            "name": self.name,
            "description": self.description,
            "max_execution_time": self.max_execution_time,
            "is_public": self.is_public,
            "version": self.version,
            "versions": self.versions,
            "creation_date": self.creation_date,
            "update_date": self.update_date,
            "spec": {
                "backend_requirements": self.backend_requirements,
                "parameters": self.spec_parameters,
                "return_values": self.return_values,
                "interim_results": self.interim_results,
            },
        }

    def __str__(self) -> str:
        """The legacy layout (``print(program)`` in qiskit-ibmq-provider): fields a schema
        leaves out are shown as ``None``."""
        return self.describe(legacy=True)

    def describe(self, *, legacy: bool = False) -> str:
        """The program as text; without ``legacy``, what a schema leaves out is omitted
        (``runtime-kit programs show``) instead of shown as ``None``."""

        def field(label: str, value: Any) -> list[str]:
            if value is None and not legacy:
                return []
            return [f"{label}: {value}"]

        def block(title: str, schema: dict[str, Any]) -> list[str]:
            lines = [f"  {title}:"]
            properties = schema.get("properties") if isinstance(schema, dict) else None
            if isinstance(properties, dict) and properties:
                required = set(schema.get("required") or [])
                for name, item in properties.items():
                    lines.append(f"    - {name}:")
                    lines += field("      Description", item.get("description"))
                    lines += field("      Type", item.get("type"))
                    if title == "Parameters":
                        lines.append(f"      Required: {name in required}")
            elif schema:
                described = [
                    *field("Description", schema.get("description")),
                    *field("Type", schema.get("type")),
                ] or ["(a schema without description or type)"]
                lines.append(f"    - {described[0]}")
                lines += [f"      {line}" for line in described[1:]]
            else:
                lines.append("    none")
            return lines

        lines = [
            f"{self.program_id}:",
            f"  Name: {self.name}",
            *field("  Description", self.description if legacy else self.description or None),
            f"  Version: {self.version}",
            f"  Versions: {', '.join(self.versions)}",
            f"  Creation date: {self.creation_date}",
            f"  Update date: {self.update_date}",
            f"  Max execution time: {self.max_execution_time}",
            f"  Public: {self.is_public}",
            f"  Backend requirements: {json.dumps(self.backend_requirements) or 'none'}",
            *block("Parameters", self.spec_parameters),
            *block("Interim results", self.interim_results),
            *block("Returns", self.return_values),
        ]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<RuntimeProgram('{self.program_id}', version '{self.version}')>"
