"""A program package's wheel made importable: its files extracted into a directory that the
job puts first on ``sys.path`` (what ``pip install --no-deps --target`` does for imports,
without pip: the job may have no network, and pip costs a second per job)."""

from __future__ import annotations

import zipfile
from pathlib import Path, PurePosixPath

#: The parts of a wheel's ``NAME.data/`` directory that belong on the import path.
_IMPORTABLE_DATA = ("purelib", "platlib")


def extract_wheel(wheel: Path, target: Path) -> None:
    """Extract ``wheel`` into ``target``: its packages, ``.dist-info`` and the ``purelib``/
    ``platlib`` parts of its ``.data``; scripts, headers and data files are left out."""
    with zipfile.ZipFile(wheel) as archive:
        for entry in archive.infolist():
            destination = _destination(PurePosixPath(entry.filename))
            if destination is None or entry.is_dir():
                continue
            path = target.joinpath(*destination.parts)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(archive.read(entry))


def _destination(name: PurePosixPath) -> PurePosixPath | None:
    if ".." in name.parts or name.is_absolute():
        return None
    top = name.parts[0]
    if not top.endswith(".data"):
        return name
    if len(name.parts) > 2 and name.parts[1] in _IMPORTABLE_DATA:
        return PurePosixPath(*name.parts[2:])
    return None
