"""Where a program's files are: the program module, its metadata and example inputs.

Each directory is listed once (``os.scandir``); every convention is decided from that
listing, which keeps ``validate`` of hundreds of programs cheap.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

from runtime_kit.findings import Finding

PROGRAM_NAMES = ("program.py", "main.py")
METADATA_NAMES = ("metadata.json", "metadata.yaml", "metadata.yml")
METADATA_SUFFIXES = (".json", ".yaml", ".yml")
NOT_METADATA = {
    "package.json",
    "package-lock.json",
    "tsconfig.json",
    ".pre-commit-config.yaml",
    ".pre-commit-hooks.yaml",
    "mkdocs.yml",
}


class ProgramLayout(NamedTuple):
    directory: Path
    program: Path | None
    metadata: Path | None
    inputs: list[Path]
    #: Modules and packages beside the program, which its imports may name.
    local_modules: frozenset[str]


def locate(
    path: Path, *, program: Path | None = None, metadata: Path | None = None
) -> tuple[ProgramLayout, list[Finding]]:
    """Find the program, metadata and inputs of the program at ``path`` (a directory, or a
    file in it); explicit ``program``/``metadata`` paths win over the conventions."""
    directory = path if path.is_dir() else path.parent
    findings: list[Finding] = []
    if not path.exists():
        missing = Finding.of(path, (0, 0), "RK001", "no such file or directory")
        return ProgramLayout(directory, None, None, [], frozenset()), [missing]
    files, folders = listing(directory)
    layout = ProgramLayout(
        directory,
        program or _find_program(directory, files, findings),
        metadata or _find_metadata(directory, files, findings),
        _inputs(directory / "inputs") if "inputs" in folders else [],
        local_modules(files, folders),
    )
    return layout, findings


def local_modules(files: set[str], folders: set[str]) -> frozenset[str]:
    return frozenset({name[:-3] for name in files if name.endswith(".py")} | folders)


def listing(directory: Path) -> tuple[set[str], set[str]]:
    """Names of the files and of the folders in ``directory`` (empty if unreadable)."""
    files: set[str] = set()
    folders: set[str] = set()
    try:
        with os.scandir(directory) as entries:
            for entry in entries:
                try:
                    (folders if entry.is_dir() else files).add(entry.name)
                except OSError:
                    continue
    except OSError:
        pass
    return files, folders


def _inputs(directory: Path) -> list[Path]:
    files, _ = listing(directory)
    return [directory / name for name in sorted(files) if name.endswith(".json")]


def _find_program(directory: Path, files: set[str], findings: list[Finding]) -> Path | None:
    for name in PROGRAM_NAMES:
        if name in files:
            return directory / name
    candidates = [
        directory / name
        for name in sorted(files)
        if name.endswith(".py") and _defines_main(directory / name)
    ]
    if len(candidates) == 1:
        return candidates[0]
    if candidates:
        names = ", ".join(p.name for p in candidates)
        message = f"several modules define main() ({names}): pass --program"
    else:
        message = "no program: expected program.py, main.py or one module defining main()"
    findings.append(Finding.of(directory, (0, 0), "RK003", message))
    return None


def _defines_main(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return any(line.startswith(("def main(", "async def main(")) for line in text.splitlines())


def _find_metadata(directory: Path, files: set[str], findings: list[Finding]) -> Path | None:
    named = [directory / name for name in METADATA_NAMES if name in files]
    if len(named) == 1:
        return named[0]
    if len(named) > 1:
        findings.append(
            Finding.of(
                directory,
                (0, 0),
                "RK004",
                f"several metadata files ({', '.join(p.name for p in named)})"
                ": keep one, or pass --metadata",
            )
        )
        return None
    candidates = [
        directory / name
        for name in sorted(files)
        if name.endswith(METADATA_SUFFIXES) and name not in NOT_METADATA
    ]
    looking = [p for p in candidates if _looks_like_metadata(p)]
    if len(looking) == 1:
        return looking[0]
    if len(candidates) == 1 and not looking:
        return candidates[0]  # unparsable or incomplete: let the checks say what is wrong
    message = (
        "no metadata: expected metadata.json, metadata.yaml or one JSON/YAML file "
        "with name and max_execution_time"
    )
    if len(looking) > 1:
        message = (
            f"several files look like metadata ({', '.join(p.name for p in looking)})"
            ": pass --metadata"
        )
    findings.append(Finding.of(directory, (0, 0), "RK004", message))
    return None


def _looks_like_metadata(path: Path) -> bool:
    from runtime_kit.errors import MetadataSyntaxError
    from runtime_kit.metadata.document import load_document

    try:
        data = load_document(path).data
    except MetadataSyntaxError:
        return False
    return isinstance(data, dict) and "name" in data and "max_execution_time" in data
