"""The program of a job: a path (``runtime-kit run``), or the program's data as a service
stores it (base64 source or a zip bundle the service checked at upload), unpacked here."""

from __future__ import annotations

import base64
import json
import os
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

PROGRAM_NAMES = ("program.py", "main.py")


def program_of(job: dict[str, Any], workdir: Path) -> tuple[Path, list[str]]:
    """The program's entry module and the import paths of its wheels.

    Raises:
        ValueError: a bundle entry that leaves its directory, or no program module.
    """
    if "bundle" not in job:
        return Path(job["program"]), []
    directory = workdir / "program"
    directory.mkdir(parents=True, exist_ok=True)
    raw = base64.b64decode(job["bundle"])
    if job["bundle_kind"] == "source":
        (directory / "program.py").write_bytes(raw)
        return directory / "program.py", []
    _unzip(raw, directory)
    script = job.get("script")
    program = _entry(directory) if script is None else script_path(directory, script)
    paths = []
    for wheel in sorted(directory.glob("wheels/*.whl")):
        target = workdir / "site" / wheel.stem
        _unzip(wheel.read_bytes(), target)
        paths.append(str(target))
    return program, paths


def script_path(directory: Path, script: str) -> Path:
    """A function's entrypoint ``script`` (a relative path) in ``directory``.

    Raises:
        ValueError: it leaves the directory, or is not a file there.
    """
    parts = PurePosixPath(script).parts
    if not parts or script.startswith("/") or ".." in parts or "\\" in script:
        raise ValueError(f"the entrypoint {script!r} is not inside the function's directory")
    path = directory.joinpath(*parts)
    if not path.is_file():
        raise ValueError(f"the function has no entrypoint {script!r}")
    return path


def _unzip(raw: bytes, directory: Path) -> None:
    import io

    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        for entry in archive.infolist():
            parts = PurePosixPath(entry.filename).parts
            if entry.filename.startswith("/") or ".." in parts or "\\" in entry.filename:
                raise ValueError(f"bundle entry {entry.filename!r} leaves the bundle")
            target = directory.joinpath(*parts)
            if entry.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(entry) as source, open(target, "wb") as out:
                while True:
                    chunk = source.read(65536)
                    if not chunk:
                        break
                    out.write(chunk)


def _entry(directory: Path) -> Path:
    manifest = directory / "manifest.json"
    if manifest.is_file():
        entry = json.loads(manifest.read_text()).get("entry_point")
        if isinstance(entry, str) and (directory / entry).is_file():
            return directory / entry
    for name in PROGRAM_NAMES:
        if (directory / name).is_file():
            return directory / name
    candidates = [
        directory / name for name in sorted(os.listdir(directory)) if name.endswith(".py")
    ]
    if len(candidates) == 1:
        return candidates[0]
    raise ValueError("the program bundle has no program module (program.py)")
