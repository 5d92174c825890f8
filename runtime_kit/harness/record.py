"""``RunRecord``: everything one run of a program produced."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

DONE = "DONE"
ERROR = "ERROR"
CANCELLED = "CANCELLED - RAN TOO LONG"


@dataclass
class RunRecord:
    """One run: ``status`` is DONE, ERROR or CANCELLED - RAN TOO LONG.

    Results are kept as the wire-format text the program's process sent; ``result`` and
    ``interim_results`` decode them (``RuntimeDecoder``), ``to_json()`` shows them as JSON.
    """

    status: str
    result_text: str | None = None
    interim_texts: list[str] = field(default_factory=list)
    logs: str = ""
    error: str | None = None
    #: The program's traceback (its own frames), when main() raised.
    traceback: str | None = None
    warnings: list[str] = field(default_factory=list)
    #: How interim results and the result failed their declared schemas (also warnings).
    schema_mismatches: list[str] = field(default_factory=list)
    seed: int | None = None
    backend: str | None = None
    duration_s: float = 0.0
    #: main() was called (the backend was ready and the program's inputs given to it).
    started: bool = False
    #: Inputs named like seeds (``seed``, ``seed_simulator``, ...) that the run was given:
    #: where the program uses them, they decide instead of the run's ``seed``.
    input_seeds: dict[str, Any] = field(default_factory=dict)
    #: The sub-statuses a Qiskit Function set (``update_status``), in order.
    statuses: list[str] = field(default_factory=list)

    def mismatched(self, mismatches: list[str]) -> None:
        """Note values that failed their schemas (warnings, unless the run is strict)."""
        self.schema_mismatches += mismatches
        self.warnings += mismatches

    @property
    def ok(self) -> bool:
        return self.status == DONE

    @property
    def result(self) -> Any:
        """The decoded result (None when there is none)."""
        return None if self.result_text is None else _decode(self.result_text)

    @property
    def interim_results(self) -> list[Any]:
        """The decoded interim results, in the order they were published."""
        return [_decode(text) for text in self.interim_texts]

    def to_json(self) -> dict[str, Any]:
        """The record as plain JSON: encoded values shown as the JSON they stand for
        (arrays as lists, datetimes as strings, other objects as their wire form)."""
        from runtime_kit.wire_schema import plain

        return {
            "status": self.status,
            "result": None if self.result_text is None else plain(self.result_text),
            "interim_results": [plain(text) for text in self.interim_texts],
            "logs": self.logs,
            "error": self.error if self.traceback is None else f"{self.error}\n{self.traceback}",
            "warnings": self.warnings,
            "seed": self.seed,
            "input_seeds": self.input_seeds,
            "statuses": self.statuses,
            "started": self.started,
            "backend": self.backend,
            "duration_s": self.duration_s,
        }


def _decode(text: str) -> Any:
    from runtime_kit.serialization import RuntimeDecoder

    return json.loads(text, cls=RuntimeDecoder)
