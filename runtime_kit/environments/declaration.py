"""What a program declares about its environment, read from its files (never imported).

* ``requirements.txt`` beside the program: pip's syntax, requirements only (PEP 508, with
  markers and extras).  Options (``-r``, ``-e``, ``--index-url``, ...), URLs and local paths
  are refused: the service's operator chooses where packages come from.
* ``pyproject.toml``: ``[project].dependencies`` and ``[project].requires-python``.
* ``.python-version``: ``X.Y`` or ``X.Y.Z`` (pyenv's file).
* A single-file program (the legacy clients' ``upload_program(data=...)`` sends one file): its
  inline script metadata (PEP 723), a ``# /// script`` block of TOML in comments with
  ``dependencies`` and ``requires-python``, read by ``read_inline``.

Both kinds of requirements add up.  A declaration that runtime-kit's own environment already
satisfies (the package template's ``qiskit>=1.4``) needs no environment of its own: the program
runs as every other one does.  Every problem is a ``Finding`` with its line and column.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runtime_kit.findings import Finding

REQUIREMENTS_FILE = "requirements.txt"
PYPROJECT_FILE = "pyproject.toml"
PYTHON_VERSION_FILE = ".python-version"
DECLARATION_FILES = (REQUIREMENTS_FILE, PYPROJECT_FILE, PYTHON_VERSION_FILE)
_PYTHON_VERSION = re.compile(r"(3)\.([0-9]{1,2})(?:\.([0-9]{1,3}))?", re.ASCII)
#: PEP 723's block: ``# /// TYPE``, lines of ``#`` or ``# ...``, ``# ///`` (its own regex).
_INLINE_BLOCK = re.compile(
    r"(?m)^# /// (?P<type>[a-zA-Z0-9-]+)$\s(?P<content>(^#(| .*)$\s)+)^# ///$"
)
INLINE_SCRIPT = "# /// script"
#: The one echo line and caret line ``packaging`` adds to its messages, indented this much.
_ECHO_INDENT = 4


@dataclass(frozen=True)
class EnvironmentSpec:
    """A program's declared environment.

    ``requirements``: PEP 508 strings, requirements.txt's first, then pyproject's, each once;
    ``python``: a version specifier (``>=3.8,<3.9``; ``.python-version`` 3.8 is ``==3.8.*``),
    or None (any: the host's own Python is taken); ``files``: where they were declared.
    """

    requirements: tuple[str, ...] = ()
    python: str | None = None
    files: tuple[str, ...] = field(default=(), compare=False)

    @property
    def declared(self) -> bool:
        return bool(self.requirements or self.python)

    def describe(self) -> dict[str, Any]:
        """The manifest's ``environment`` entry."""
        return {"requirements": list(self.requirements), "python": self.python}

    def needs_own_environment(self) -> bool:
        """Whether runtime-kit's own environment does not already satisfy the declaration."""
        from runtime_kit.environments.installed import satisfied_here

        return self.declared and not satisfied_here(self)


FileReader = Callable[[str], "bytes | None"]


def read_directory(directory: Path) -> tuple[EnvironmentSpec, list[Finding]]:
    """The declaration of the program in ``directory`` (its files on disk)."""

    def read(name: str) -> bytes | None:
        path = directory / name
        try:
            return path.read_bytes() if path.is_file() else None
        except OSError:
            return None

    return read_declaration(read, lambda name: str(directory / name))


def read_declaration(
    read: FileReader, where: Callable[[str], str]
) -> tuple[EnvironmentSpec, list[Finding]]:
    """The declaration in the files ``read(name)`` gives (None: no such file); findings name
    each file as ``where(name)``."""
    findings: list[Finding] = []
    requirements: list[str] = []
    python: list[str] = []
    files: list[str] = []
    text = _text(read, REQUIREMENTS_FILE, where, findings)
    if text is not None:
        files.append(REQUIREMENTS_FILE)
        requirements += parse_requirements(text, where(REQUIREMENTS_FILE), findings)
    text = _text(read, PYPROJECT_FILE, where, findings)
    if text is not None:
        declared, specifier = _pyproject(text, where(PYPROJECT_FILE), findings)
        if declared or specifier:
            files.append(PYPROJECT_FILE)
        requirements += declared
        python += [specifier] if specifier else []
    text = _text(read, PYTHON_VERSION_FILE, where, findings)
    if text is not None:
        files.append(PYTHON_VERSION_FILE)
        version = _python_version(text, where(PYTHON_VERSION_FILE), findings)
        if version is not None:
            python.append(version)
    spec = EnvironmentSpec(tuple(dict.fromkeys(requirements)), _joined(python), tuple(files))
    if not findings and spec.python is not None:
        findings += _python_conflict(spec.python, where, files)
    return spec, findings


def read_inline(source: str, path: str) -> tuple[EnvironmentSpec, list[Finding]]:
    """The declaration of a single-file program ``source``: its ``# /// script`` block
    (PEP 723), if any; findings (RK603) name ``path`` with the line and column in ``source``.
    """
    findings: list[Finding] = []
    blocks = [match for match in _INLINE_BLOCK.finditer(source) if match["type"] == "script"]
    if not blocks:
        return EnvironmentSpec(), findings
    if len(blocks) > 1:
        line = source.count("\n", 0, blocks[1].start()) + 1
        message = f"a second {INLINE_SCRIPT} block: a program declares its environment once"
        findings.append(Finding.of(path, (line, 1), "RK603", message))
        return EnvironmentSpec(), findings
    text = _inline_toml(source, blocks[0])
    document = _toml(text, path, findings)
    if document is None:
        return EnvironmentSpec(), findings
    requirements, python = _dependencies(document, "", text, path, findings)
    files = (INLINE_SCRIPT,) if requirements or python else ()
    return EnvironmentSpec(tuple(dict.fromkeys(requirements)), python, files), findings


def _inline_toml(source: str, block: re.Match[str]) -> str:
    """The TOML of an inline block, at the lines and columns it has in ``source`` (every
    other line blank, each ``# `` two spaces), so that TOML's positions are the source's."""
    first = source.count("\n", 0, block.start("content"))
    content = block["content"].splitlines()
    lines = [""] * first + ["  " + line[2:] if line.startswith("# ") else "" for line in content]
    return "\n".join(lines) + "\n"


def parse_requirements(text: str, path: str, findings: list[Finding]) -> list[str]:
    """The requirements of a requirements.txt ``text`` (normalised strings); problems are
    added to ``findings`` (RK601 syntax, RK602 what a program may not ask for)."""
    from packaging.requirements import InvalidRequirement, Requirement

    found = []
    for number, line in _logical_lines(text):
        stripped = line.strip()
        column = len(line) - len(line.lstrip()) + 1
        if stripped.startswith("-"):
            option = stripped.split()[0].split("=")[0]
            findings.append(
                Finding.of(
                    path,
                    (number, column),
                    "RK602",
                    f"option {option} is not taken in a program's requirements: only "
                    "requirements (name, version, markers); the service's operator chooses the "
                    "package index",
                )
            )
            continue
        try:
            requirement = Requirement(stripped)
        except InvalidRequirement as exc:
            reason, offset = _packaging_error(str(exc))
            findings.append(
                Finding.of(path, (number, column + offset), "RK601", f"not a requirement: {reason}")
            )
            continue
        if requirement.url:
            findings.append(
                Finding.of(
                    path,
                    (number, column),
                    "RK602",
                    f"{requirement.name} @ {requirement.url}: a requirement comes from the "
                    "package index, not from a URL or a path",
                )
            )
            continue
        found.append(str(requirement))
    return found


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """(first line number, text) of each requirement line: comments removed, ``\\``
    continuations joined, blank lines left out."""
    lines: list[tuple[int, str]] = []
    pending: tuple[int, str] | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = re.sub(r"(^|\s)#.*$", "", raw)
        first = number
        if pending is not None:
            first, line = pending[0], pending[1] + line
            pending = None
        if line.endswith("\\"):
            pending = (first, line[:-1])
            continue
        if line.strip():
            lines.append((first, line.rstrip()))
    if pending is not None and pending[1].strip():
        lines.append(pending)
    return lines


def _packaging_error(message: str) -> tuple[str, int]:
    """packaging's reason, and the column (0-based, in the requirement) its caret points at."""
    parts = message.split("\n")
    reason = parts[0]
    caret = next((part for part in reversed(parts) if part.strip().endswith("^")), None)
    if caret is None:
        return reason, 0
    return reason, max(caret.index("^") - _ECHO_INDENT, 0)


def _pyproject(text: str, path: str, findings: list[Finding]) -> tuple[list[str], str | None]:
    """``[project].dependencies`` and ``requires-python`` (RK603 when malformed)."""
    document = _toml(text, path, findings)
    if document is None:
        return [], None
    project = document.get("project")
    if not isinstance(project, dict):
        return [], None
    return _dependencies(project, "[project].", text, path, findings)


def _toml(text: str, path: str, findings: list[Finding]) -> dict[str, Any] | None:
    import tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        findings.append(Finding.of(path, _toml_position(str(exc)), "RK603", f"not TOML: {exc}"))
        return None


def _dependencies(
    table: dict[str, Any], label: str, text: str, path: str, findings: list[Finding]
) -> tuple[list[str], str | None]:
    """``dependencies`` and ``requires-python`` of ``table`` (``label`` names it in
    messages; positions are found in ``text``)."""
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    dependencies = table.get("dependencies", [])
    found: list[str] = []
    if not isinstance(dependencies, list) or not all(isinstance(d, str) for d in dependencies):
        where = _position_of(text, "dependencies")
        message = f"{label}dependencies must be a list of strings"
        findings.append(Finding.of(path, where, "RK603", message))
        dependencies = []
    for dependency in dependencies:
        where = _position_of(text, dependency)
        try:
            requirement = Requirement(dependency)
        except InvalidRequirement as exc:
            reason, _ = _packaging_error(str(exc))
            findings.append(Finding.of(path, where, "RK603", f"not a requirement: {reason}"))
            continue
        if requirement.url:
            message = f"{requirement.name}: a dependency comes from the package index, not a URL"
            findings.append(Finding.of(path, where, "RK602", message))
            continue
        found.append(str(requirement))
    specifier = table.get("requires-python")
    if specifier is None:
        return found, None
    where = _position_of(text, "requires-python")
    try:
        if not isinstance(specifier, str):
            raise InvalidSpecifier(repr(specifier))
        SpecifierSet(specifier)
    except InvalidSpecifier:
        message = f"requires-python {specifier!r} is not a version specifier (>=3.8,<3.9)"
        findings.append(Finding.of(path, where, "RK603", message))
        return found, None
    return found, specifier


def _python_version(text: str, path: str, findings: list[Finding]) -> str | None:
    lines = [(n, line.strip()) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
    lines = [(n, line) for n, line in lines if not line.startswith("#")]
    if not lines:
        findings.append(Finding.of(path, (1, 1), "RK603", "names no Python version"))
        return None
    number, version = lines[0]
    match = _PYTHON_VERSION.fullmatch(version)
    if match is None:
        message = f"{version!r} is not a CPython version: expected 3.X or 3.X.Y (such as 3.8)"
        findings.append(Finding.of(path, (number, 1), "RK603", message))
        return None
    return f"=={version}" if match.group(3) else f"=={version}.*"


def _python_conflict(python: str, where: Callable[[str], str], files: list[str]) -> list[Finding]:
    """RK603 when requires-python and .python-version name versions no Python has both of."""
    from packaging.specifiers import SpecifierSet

    parts = python.split(",")
    pinned = [part for part in parts if part.startswith("==")]
    if len(pinned) != 1 or PYTHON_VERSION_FILE not in files:
        return []
    version = pinned[0][2:].removesuffix(".*")
    rest = SpecifierSet(",".join(part for part in parts if part != pinned[0]))
    if not str(rest) or rest.contains(version, prereleases=True):
        return []
    message = f"names Python {version}, which requires-python ({rest}) of pyproject.toml excludes"
    return [Finding.of(where(PYTHON_VERSION_FILE), (1, 1), "RK603", message)]


def _joined(specifiers: list[str]) -> str | None:
    return ",".join(specifiers) if specifiers else None


def _text(
    read: FileReader, name: str, where: Callable[[str], str], findings: list[Finding]
) -> str | None:
    data = read(name)
    if data is None:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        findings.append(Finding.of(where(name), (0, 0), "RK001", "not UTF-8 text"))
        return None


def _position_of(text: str, needle: str) -> tuple[int, int]:
    for number, line in enumerate(text.splitlines(), start=1):
        column = line.find(needle)
        if column >= 0:
            return number, column + 1
    return 0, 0


def _toml_position(message: str) -> tuple[int, int]:
    match = re.search(r"line (\d+), column (\d+)", message)
    return (int(match.group(1)), int(match.group(2))) if match else (0, 0)
