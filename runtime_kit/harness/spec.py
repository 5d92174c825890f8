"""What the harness needs from a program's metadata, and the checks of what it publishes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runtime_kit.errors import ProgramRejectedError, RuntimeKitError
from runtime_kit.findings import Severity

#: Used when metadata has no (valid) max_execution_time; the service would refuse it anyway.
FALLBACK_MAX_EXECUTION_TIME = 300


@dataclass(frozen=True)
class ProgramSpec:
    program: Path
    metadata: dict[str, Any]  # v2 form (v1 metadata is migrated in memory)
    inputs_example: Path | None
    main_takes_kwargs: bool

    @property
    def max_execution_time(self) -> float:
        value = self.metadata.get("max_execution_time")
        return value if isinstance(value, int) and value > 0 else FALLBACK_MAX_EXECUTION_TIME

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
        return _violations(f"interim result #{index}", text, self.declared("interim_results"))

    def check_result(self, text: str) -> list[str]:
        return _violations("result", text, self.declared("return_values"))


def load_program_spec(path: Path) -> ProgramSpec:
    """Locate and read the program at ``path``, refusing one that ``validate`` finds broken.

    Findings about example inputs do not count: the inputs of this run are checked apart.

    Raises:
        ProgramRejectedError: errors in the program or its metadata (each named).
    """
    from runtime_kit.checks.source import find_main, parse_program
    from runtime_kit.metadata.checks import metadata_version
    from runtime_kit.metadata.document import load_document
    from runtime_kit.project import locate
    from runtime_kit.validation import validate

    errors = [
        f for f in validate(path) if f.severity is Severity.ERROR and not f.code.startswith("RK5")
    ]
    if errors:
        listed = "\n".join(str(f) for f in errors)
        raise ProgramRejectedError(f"the program has errors (runtime-kit validate):\n{listed}")
    layout, _ = locate(path)
    if layout.program is None or layout.metadata is None:
        raise ProgramRejectedError(f"{path}: no program or no metadata")
    data = load_document(layout.metadata).data
    if metadata_version(data) == 1:
        from runtime_kit.metadata.migrate import migrate_metadata

        data = migrate_metadata(data)[0]
    tree, _ = parse_program(layout.program, layout.program.read_text(encoding="utf-8"))
    main = find_main(tree) if tree is not None else None
    example = layout.directory / "inputs" / "example.json"
    return ProgramSpec(
        program=layout.program.resolve(),
        metadata=data,
        inputs_example=example if example.is_file() else None,
        main_takes_kwargs=main is None or main.args.kwarg is not None,
    )


def _violations(what: str, text: str, schema: Any) -> list[str]:
    if not isinstance(schema, dict | bool):
        return []
    from runtime_kit.wire_schema import check

    try:
        return [f"{what} does not match its schema: {v}" for v in check(json.loads(text), schema)]
    except (RuntimeKitError, ValueError) as exc:
        return [f"{what} cannot be checked against its schema: {exc}"]
