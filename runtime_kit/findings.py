"""Findings: what ``validate`` reports, each with a stable code and a location.

Printed as ``path:line:col: CODE message`` so editors and pre-commit link to them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path
from typing import NamedTuple

from runtime_kit.errors import MetadataSyntaxError


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


#: code -> (severity, one-line summary)
CODES: dict[str, tuple[Severity, str]] = {
    "RK001": (Severity.ERROR, "file cannot be read (missing, binary, not UTF-8)"),
    "RK002": (Severity.ERROR, "file is not valid JSON or YAML"),
    "RK003": (Severity.ERROR, "no program file found, or more than one candidate"),
    "RK004": (Severity.ERROR, "no metadata file found, or more than one candidate"),
    "RK005": (Severity.ERROR, "unresolved merge conflict (markers left by `runtime-kit update`)"),
    "RK101": (Severity.ERROR, "a required metadata field is missing"),
    "RK102": (Severity.ERROR, "a metadata field has the wrong type or value"),
    "RK103": (Severity.WARNING, "unknown metadata field (ignored by runtime services)"),
    "RK104": (Severity.WARNING, "v1 metadata is deprecated: run `runtime-kit migrate`"),
    "RK105": (Severity.ERROR, "invalid program name"),
    "RK106": (Severity.ERROR, "max_execution_time is not a positive integer"),
    "RK107": (Severity.ERROR, "invalid spec.backend_requirements"),
    "RK108": (Severity.WARNING, "description is missing or empty (legacy clients refuse it)"),
    "RK201": (Severity.ERROR, "declared schema is not a valid JSON Schema"),
    "RK202": (Severity.ERROR, "a required name is not among the schema's properties"),
    "RK203": (Severity.WARNING, "unknown $schema dialect"),
    "RK204": (Severity.ERROR, "spec.parameters must describe an object"),
    "RK205": (Severity.WARNING, "a schema keyword its draft does not know (ignored)"),
    "RK301": (Severity.ERROR, "program has a syntax error"),
    "RK302": (Severity.ERROR, "program defines no module-level main()"),
    "RK303": (
        Severity.ERROR,
        "main() must start with (backend, user_messenger)",
    ),
    "RK304": (Severity.ERROR, "a declared parameter cannot reach main()"),
    "RK305": (Severity.ERROR, "a parameter of main() without a default is not declared required"),
    "RK306": (Severity.WARNING, "main() reads a kwargs key that is not declared"),
    "RK401": (Severity.ERROR, "an import does not resolve in this environment"),
    "RK402": (
        Severity.ERROR,
        "an import names a module or name removed from qiskit that runtime-kit does not serve",
    ),
    "RK403": (Severity.ERROR, "a name imported from an installed module does not exist there"),
    "RK404": (
        Severity.WARNING,
        "a legacy import served by a compatibility alias whose API changed",
    ),
    "RK501": (Severity.ERROR, "an example input does not match spec.parameters"),
    "RK502": (Severity.WARNING, "an example input is not a declared parameter"),
    "RK503": (Severity.ERROR, "an example input cannot be decoded"),
    "RK504": (Severity.WARNING, "an example input is not of its parameter's v1 type"),
    "RK601": (Severity.ERROR, "a line of requirements.txt is not a requirement"),
    "RK602": (
        Severity.ERROR,
        "a requirement a program may not ask for (a pip option, a URL or a local path)",
    ),
    "RK603": (
        Severity.ERROR,
        "pyproject.toml or .python-version declares its Python or its dependencies wrongly",
    ),
    "RK604": (Severity.ERROR, "no interpreter of the Python the program names is on this host"),
    "RK605": (Severity.ERROR, "the requirements do not resolve (validate --resolve)"),
    "RK606": (
        Severity.WARNING,
        "a # /// script block, read only from a program uploaded as one file",
    ),
    "RK701": (Severity.ERROR, "function.json misses a required field, or one is wrong"),
    "RK702": (Severity.WARNING, "unknown field in function.json"),
    "RK703": (Severity.ERROR, "the entrypoint or working_dir is missing or leaves the project"),
    "RK704": (Severity.WARNING, "the entrypoint reads an argument the schema does not declare"),
    "RK705": (Severity.ERROR, "an example argument does not match the arguments schema"),
    "RK706": (Severity.WARNING, "the entrypoint never calls save_result()"),
}


class Finding(NamedTuple):
    """One problem found in a file; ``line``/``col`` are 1-based (0: the whole file)."""

    path: str
    line: int
    col: int
    code: str
    message: str
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        tag = "" if self.severity is Severity.ERROR else " (warning)"
        return f"{self.path}:{self.line}:{self.col}: {self.code} {self.message}{tag}"

    def to_dict(self) -> dict[str, object]:
        return {**self._asdict(), "severity": self.severity.value}

    @classmethod
    def of(cls, path: object, position: tuple[int, int], code: str, message: str) -> Finding:
        """A finding with the severity its code carries."""
        return cls(str(path), position[0], position[1], code, message, CODES[code][0])


def syntax_finding(error: MetadataSyntaxError) -> list[Finding]:
    """RK002 for a file that does not parse (it has a position), else RK001 (unreadable);
    RK005 instead, one per block, when what does not parse is a merge conflict."""
    if error.line:
        try:
            text = Path(error.path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            text = ""
        conflicts = conflict_findings(error.path, text)
        if conflicts:
            return conflicts
    code = "RK002" if error.line else "RK001"
    return [Finding.of(error.path, (error.line, error.col), code, error.reason)]


def conflict_findings(path: object, text: str) -> list[Finding]:
    """RK005 for each merge conflict block left in ``text``."""
    from runtime_kit.conflict_markers import conflicts_in

    return [
        Finding.of(path, (conflict.first_line, 1), "RK005", conflict.describe())
        for conflict in conflicts_in(text)
    ]


def has_errors(findings: Iterable[Finding], *, strict: bool = False) -> bool:
    return any(strict or f.severity is Severity.ERROR for f in findings)


def format_findings(findings: list[Finding], fmt: str) -> str:
    """Render findings as ``text`` (one per line), ``json`` or ``github`` annotations."""
    if fmt == "json":
        return json.dumps([f.to_dict() for f in findings], indent=2)
    if fmt == "github":
        return "\n".join(
            f"::{f.severity.value} file={f.path},line={max(f.line, 1)},col={max(f.col, 1)},"
            f"title={f.code}::{f.message}"
            for f in findings
        )
    return "\n".join(str(f) for f in findings)
