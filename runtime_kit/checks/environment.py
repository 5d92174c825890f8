"""A program's declared environment, as ``validate`` checks it: the files' syntax (RK601-603),
an interpreter of the Python it names (RK604) and, when asked, that it resolves (RK605); a
``# /// script`` block in a program kept as a directory (RK606)."""

from __future__ import annotations

from pathlib import Path

from runtime_kit.environments.declaration import (
    DECLARATION_FILES,
    INLINE_SCRIPT,
    PYPROJECT_FILE,
    PYTHON_VERSION_FILE,
    REQUIREMENTS_FILE,
    EnvironmentSpec,
    read_directory,
)
from runtime_kit.errors import ProgramEnvironmentError
from runtime_kit.findings import Finding
from runtime_kit.project import listing


def environment_of(directory: Path) -> tuple[EnvironmentSpec, list[Finding]]:
    """The environment the program in ``directory`` declares, and what is wrong with it."""
    files, _ = listing(directory)
    if not any(name in files for name in DECLARATION_FILES):
        return EnvironmentSpec(), []
    spec, findings = read_directory(directory)
    if spec.python is not None and not findings:
        findings += _interpreter_findings(directory, spec)
    return spec, findings


def _interpreter_findings(directory: Path, spec: EnvironmentSpec) -> list[Finding]:
    from runtime_kit.environments.interpreters import find_interpreter

    try:
        find_interpreter(spec.python)
    except ProgramEnvironmentError as exc:
        name = PYTHON_VERSION_FILE if PYTHON_VERSION_FILE in spec.files else PYPROJECT_FILE
        return [Finding.of(directory / name, (1, 1), "RK604", str(exc))]
    return []


def resolution_findings(directory: Path, spec: EnvironmentSpec) -> list[Finding]:
    """RK605 when ``spec``'s requirements do not resolve on the package index (uv)."""
    from runtime_kit.environments.builder import resolve

    try:
        resolve(spec)
    except ProgramEnvironmentError as exc:
        name = REQUIREMENTS_FILE if REQUIREMENTS_FILE in spec.files else PYPROJECT_FILE
        return [Finding.of(directory / name, (0, 0), "RK605", str(exc))]
    return []


def inline_block_findings(program: Path) -> list[Finding]:
    """RK606 where ``program`` (the module of a program directory) holds a ``# /// script``
    block: read only from a program uploaded as one file, never from a directory or bundle."""
    try:
        text = program.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []  # the program's own checks say why it cannot be read
    for number, line in enumerate(text.splitlines(), start=1):
        if line == INLINE_SCRIPT:
            message = (
                "this block is read only when the program is uploaded as one file "
                "(upload_program(data=...)); run, build and publish read requirements.txt, "
                "pyproject.toml and .python-version: declare the packages there too"
            )
            return [Finding.of(program, (number, 1), "RK606", message)]
    return []
