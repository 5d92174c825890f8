"""Where a program's files are: the program module, its metadata and example inputs."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

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


@dataclass
class ProgramLayout:
    directory: Path
    program: Path | None = None
    metadata: Path | None = None
    inputs: list[Path] = field(default_factory=list)


def locate(
    path: Path, *, program: Path | None = None, metadata: Path | None = None
) -> tuple[ProgramLayout, list[Finding]]:
    """Find the program, metadata and inputs of the program at ``path`` (a directory, or a
    file in it); explicit ``program``/``metadata`` paths win over the conventions."""
    directory = path if path.is_dir() else path.parent
    layout = ProgramLayout(directory)
    findings: list[Finding] = []
    if not path.exists():
        return layout, [Finding.of(path, (0, 0), "RK001", "no such file or directory")]
    layout.program = program or _find_program(directory, findings)
    layout.metadata = metadata or _find_metadata(directory, findings)
    inputs_dir = directory / "inputs"
    if inputs_dir.is_dir():
        layout.inputs = sorted(inputs_dir.glob("*.json"))
    return layout, findings


def _find_program(directory: Path, findings: list[Finding]) -> Path | None:
    for name in PROGRAM_NAMES:
        if (directory / name).is_file():
            return directory / name
    candidates = [p for p in sorted(directory.glob("*.py")) if _defines_main(p)]
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


def _find_metadata(directory: Path, findings: list[Finding]) -> Path | None:
    named = [directory / name for name in METADATA_NAMES if (directory / name).is_file()]
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
        p
        for p in sorted(directory.iterdir())
        if p.suffix in METADATA_SUFFIXES and p.is_file() and p.name not in NOT_METADATA
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
