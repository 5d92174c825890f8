"""What the harness needs from a program's metadata, and the checks of what it publishes."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runtime_kit.environments.declaration import EnvironmentSpec
from runtime_kit.errors import RuntimeKitError


@dataclass(frozen=True)
class ProgramSpec:
    program: Path
    metadata: dict[str, Any]  # v2 form (v1 metadata is migrated in memory)
    inputs_example: Path | None
    main_takes_kwargs: bool
    #: The inputs main() names (parameters after backend and user_messenger).
    main_parameters: frozenset[str] = frozenset()
    #: The environment it declares (requirements, Python); see ``own_environment``.
    environment: EnvironmentSpec = field(default_factory=EnvironmentSpec)

    @property
    def own_environment(self) -> bool:
        """Whether it runs in an environment of its own (one runtime-kit's does not satisfy)."""
        return self.environment.needs_own_environment()

    @property
    def max_execution_time(self) -> int:
        """Seconds; a positive integer, since ``require_valid`` refused anything else."""
        return int(self.metadata["max_execution_time"])

    def declared(self, key: str) -> Any:
        """``spec.<key>`` (parameters, return_values, interim_results, backend_requirements)."""
        spec = self.metadata.get("spec")
        return spec.get(key) if isinstance(spec, dict) else None

    @property
    def min_num_qubits(self) -> int | None:
        requirements = self.declared("backend_requirements")
        value = requirements.get("min_num_qubits") if isinstance(requirements, dict) else None
        return value if isinstance(value, int) else None

    def check_interim(self, index: int, text: str) -> list[str]:
        return schema_mismatches(f"interim result #{index}", text, self.declared("interim_results"))

    def check_result(self, text: str) -> list[str]:
        return schema_mismatches("result", text, self.declared("return_values"))


def load_program_spec(path: Path) -> ProgramSpec:
    """Locate and read the program at ``path``, refusing one that ``validate`` finds broken.

    Findings about example inputs do not count: the inputs of this run are checked apart.

    Raises:
        ProgramRejectedError: errors in the program or its metadata (each named).
    """
    from runtime_kit.validation import require_valid

    found = require_valid(path, allowed=("RK5",))
    assert found.layout.program is not None and found.metadata is not None  # require_valid
    example = found.layout.directory / "inputs" / "example.json"
    return ProgramSpec(
        program=found.layout.program.resolve(),
        metadata=found.metadata,
        inputs_example=example if example.is_file() else None,
        main_takes_kwargs=found.main_takes_kwargs,
        main_parameters=found.main_parameters,
        environment=found.environment,
    )


def schema_mismatches(what: str, text: str, schema: Any) -> list[str]:
    """How the wire-format message ``text`` (``what``: "result", "interim result #3") fails
    its declared ``schema``, one line each (none when it passes or nothing is declared)."""
    if not isinstance(schema, dict | bool):
        return []
    from runtime_kit.wire_schema import check

    try:
        return [f"{what} does not match its schema: {v}" for v in check(json.loads(text), schema)]
    except (RuntimeKitError, ValueError) as exc:
        return [f"{what} cannot be checked against its schema: {exc}"]
