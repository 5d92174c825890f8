"""A Qiskit Function project on disk: ``function.json`` and the files it names.

``function.json`` holds what ``QiskitFunction(...)`` is given, relative to the project:

    {"title": "my-function", "entrypoint": "entrypoint.py", "working_dir": "src",
     "arguments_schema": "arguments.schema.json", "dependencies": ["qiskit-aer>=0.17"],
     "description": "...", "version": "0.1.0", "max_execution_time": 600}

``title`` and ``entrypoint`` are required; the entrypoint is a path inside ``working_dir``
(default: the project's folder), which is what is uploaded.  ``arguments_schema`` is the path
of a JSON Schema file, or the schema itself.  Example arguments live in ``arguments/*.json``
(wire-format JSON, ``arguments/example.json`` is what ``run`` takes by default).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from runtime_kit.findings import Finding

FUNCTION_FILE = "function.json"
EXAMPLE_ARGUMENTS = Path("arguments") / "example.json"
#: A title or provider: what the gateway keeps of a name, without its silent clean-up.
TITLE = r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}"
DEFAULT_MAX_EXECUTION_TIME_S = 600
_FIELDS: dict[str, type | tuple[type, ...]] = {
    "title": str,
    "provider": str,
    "entrypoint": str,
    "working_dir": str,
    "arguments_schema": (str, dict, bool),
    "dependencies": list,
    "description": str,
    "version": str,
    "max_execution_time": int,
}


@dataclass(frozen=True)
class FunctionProject:
    """What ``function.json`` says, with its paths resolved."""

    directory: Path
    title: str
    entrypoint: str
    working_dir: Path
    arguments_schema: dict[str, Any] | bool | None
    dependencies: tuple[str, ...] = ()
    provider: str | None = None
    description: str = ""
    version: str | None = None
    max_execution_time: int = DEFAULT_MAX_EXECUTION_TIME_S
    #: where the schema came from (a file, or function.json itself)
    schema_path: Path | None = field(default=None, compare=False)

    @property
    def script(self) -> Path:
        return self.working_dir.joinpath(*PurePosixPath(self.entrypoint).parts)

    @property
    def example_arguments(self) -> Path | None:
        path = self.directory / EXAMPLE_ARGUMENTS
        return path if path.is_file() else None


def is_function_project(path: Path) -> bool:
    """Whether ``path`` is a function project's folder or its ``function.json``."""
    if path.name == FUNCTION_FILE:
        return path.is_file()
    return (path / FUNCTION_FILE).is_file()


def read_function(path: Path) -> tuple[FunctionProject | None, list[Finding]]:
    """The project at ``path`` (its folder or ``function.json``), and every problem with
    ``function.json`` and the files it names (None when it cannot be used at all)."""
    file = path if path.name == FUNCTION_FILE else path / FUNCTION_FILE
    directory = file.parent
    findings: list[Finding] = []
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Finding.of(file, (0, 0), "RK001", f"cannot read {FUNCTION_FILE}: {exc}")]
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, [Finding.of(file, (exc.lineno, exc.colno), "RK002", exc.msg)]
    if not isinstance(document, dict):
        return None, [Finding.of(file, (1, 1), "RK701", f"{FUNCTION_FILE} must be an object")]
    found = _fields(document, file, text, findings)
    if "title" not in found or "entrypoint" not in found:
        return None, findings
    working_dir = _working_dir(directory, found.get("working_dir", "."), file, text, findings)
    entrypoint = _entrypoint(found["entrypoint"], working_dir, file, text, findings)
    schema, schema_path = _schema(directory, found.get("arguments_schema"), file, text, findings)
    project = FunctionProject(
        directory=directory,
        title=found["title"],
        entrypoint=entrypoint or found["entrypoint"],
        working_dir=working_dir,
        arguments_schema=schema,
        dependencies=tuple(_dependencies(found.get("dependencies", []), file, text, findings)),
        provider=found.get("provider"),
        description=found.get("description", ""),
        version=found.get("version"),
        max_execution_time=found.get("max_execution_time", DEFAULT_MAX_EXECUTION_TIME_S),
        schema_path=schema_path,
    )
    return project, findings


def position(text: str, key: str) -> tuple[int, int]:
    """Line and column of ``"key"`` in ``text`` (1, 1 when it is not there)."""
    match = re.search(re.escape(json.dumps(key)) + r"\s*:", text)
    if match is None:
        return 1, 1
    line = text.count("\n", 0, match.start()) + 1
    return line, match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1


def _fields(
    document: dict[str, Any], file: Path, text: str, findings: list[Finding]
) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key in ("title", "entrypoint"):
        if key not in document:
            findings.append(Finding.of(file, (1, 1), "RK701", f"{key} is required"))
    for key, value in document.items():
        wanted = _FIELDS.get(key)
        where = position(text, key)
        if wanted is None:
            known = ", ".join(_FIELDS)
            findings.append(Finding.of(file, where, "RK702", f"unknown field {key!r} ({known})"))
        elif not _typed(value, wanted):
            findings.append(Finding.of(file, where, "RK701", f"{key} has the wrong type"))
        elif key in ("title", "provider") and not re.fullmatch(TITLE, value):
            message = f"{key} {value!r}: letters, digits, '_' and '-', at most 64"
            findings.append(Finding.of(file, where, "RK701", message))
        elif key == "max_execution_time" and value < 1:
            findings.append(Finding.of(file, where, "RK701", "max_execution_time must be >= 1"))
        else:
            found[key] = value
    return found


def _typed(value: Any, wanted: type | tuple[type, ...]) -> bool:
    """Whether ``value`` is of ``wanted`` (a boolean is not an integer here)."""
    return isinstance(value, wanted) and not (isinstance(value, bool) and wanted is int)


def _working_dir(
    directory: Path, given: str, file: Path, text: str, findings: list[Finding]
) -> Path:
    path = (directory / given).resolve()
    if not path.is_dir():
        message = f"working_dir {given!r} is not a folder of the project"
        findings.append(Finding.of(file, position(text, "working_dir"), "RK703", message))
    return path


def _entrypoint(
    given: str, working_dir: Path, file: Path, text: str, findings: list[Finding]
) -> str | None:
    """The entrypoint as a clean relative path inside ``working_dir``, or None."""
    where = position(text, "entrypoint")
    parts = PurePosixPath(given).parts
    if not given.endswith(".py") or given.startswith("/") or ".." in parts or "\\" in given:
        message = f"entrypoint {given!r} must be a relative path to a .py file in working_dir"
        findings.append(Finding.of(file, where, "RK703", message))
        return None
    script = working_dir.joinpath(*parts)
    if not script.is_file():
        message = f"entrypoint {given!r}: no such file in {working_dir}"
        findings.append(Finding.of(file, where, "RK703", message))
        return None
    if not script.resolve().is_relative_to(working_dir):
        message = f"entrypoint {given!r} leaves the working_dir (a link)"
        findings.append(Finding.of(file, where, "RK703", message))
        return None
    return PurePosixPath(*parts).as_posix()


def _schema(
    directory: Path, given: Any, file: Path, text: str, findings: list[Finding]
) -> tuple[dict[str, Any] | bool | None, Path | None]:
    if given is None or isinstance(given, dict | bool):
        return given, file
    path = directory / given
    try:
        schema = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        where = position(text, "arguments_schema")
        findings.append(Finding.of(file, where, "RK001", f"arguments_schema {given!r}: {exc}"))
        return None, None
    except json.JSONDecodeError as exc:
        findings.append(Finding.of(path, (exc.lineno, exc.colno), "RK002", exc.msg))
        return None, None
    if not isinstance(schema, dict | bool):
        findings.append(Finding.of(path, (1, 1), "RK201", "a JSON Schema is an object"))
        return None, None
    return schema, path


def _dependencies(given: list[Any], file: Path, text: str, findings: list[Finding]) -> list[str]:
    """The dependencies as requirements (PEP 508), each checked as requirements.txt's lines."""
    from runtime_kit.environments.declaration import parse_requirements

    where = position(text, "dependencies")
    requirements = []
    for item in given:
        if not isinstance(item, str):
            findings.append(Finding.of(file, where, "RK601", f"{item!r} is not a requirement"))
            continue
        found: list[Finding] = []
        requirements += parse_requirements(item, str(file), found)
        findings += [f._replace(line=where[0], col=where[1]) for f in found]
    return requirements
