"""``build_bundle``: a program as a deterministic zip (or, for a single file, its source).

The zip holds the program's files (sorted, timestamps 1980-01-01, mode 0644, no owner or
host details), ``metadata.json`` (normalised v2) and ``manifest.json`` (every file with its
sha256, the entry point, the runtime-kit version, and the ``environment`` the program
declares: its requirements and Python, from ``requirements.txt``, ``pyproject.toml`` and
``.python-version``, which travel in the bundle too).  Building twice gives the same bytes.  A
directory with ``pyproject.toml`` also carries the wheel PyPA ``build`` makes of it
(``wheels/``), built with ``SOURCE_DATE_EPOCH`` fixed so it is reproducible too.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from runtime_kit import __version__
from runtime_kit.bundle.ignore import IgnoreRules
from runtime_kit.errors import ProgramRejectedError
from runtime_kit.metadata.checks import load_v2

FIXED_TIME = (1980, 1, 1, 0, 0, 0)
SOURCE_DATE_EPOCH = "315532800"  # 1980-01-01
#: Files that do not make a program multi-file (they are not needed to run it).
NOT_PROGRAM = ("README*", "LICENSE*", "*.md", ".gitignore", ".runtimeignore",
               ".pre-commit-config.yaml", "pytest.ini", "inputs/*", "tests/*")  # fmt: skip


@dataclass(frozen=True)
class Bundle:
    """``kind`` "source" (a single file, uploaded as base64 source, as legacy clients did)
    or "zip"; ``data`` the bytes uploaded; ``digest`` their sha256."""

    name: str
    version: str
    kind: str
    data: bytes
    metadata: dict[str, Any]
    manifest: dict[str, Any]
    files: list[tuple[str, int]]
    #: files that look like secrets (``.env``, ``*.pem``, ...), left out by default
    left_out: tuple[str, ...] = ()

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def size(self) -> int:
        return sum(size for _, size in self.files)

    def upload_data(self) -> str:
        return base64.b64encode(self.data).decode("ascii")

    def zip_bytes(self) -> bytes:
        """The bundle as a zip, whatever its kind (``build`` writes this)."""
        if self.kind == "zip":
            return self.data
        entry = self.manifest["entry_point"]
        return _zip([(entry, self.data)], self.metadata, self.manifest)


def collect_files(directory: Path) -> list[PurePosixPath]:
    """The files of ``directory`` that go into its bundle, sorted."""
    return _collect(directory)[0]


def _collect(directory: Path) -> tuple[list[PurePosixPath], list[str]]:
    """(the files that go into the bundle, the secrets left out), both sorted."""
    rules = IgnoreRules.of(directory)
    found: list[PurePosixPath] = []
    secrets: list[str] = []
    for root, dirs, files in os.walk(directory):
        base = PurePosixPath(Path(root).relative_to(directory).as_posix())
        dirs[:] = sorted(
            d
            for d in dirs
            if not rules.ignored(base / d if str(base) != "." else PurePosixPath(d), True)
        )
        for name in sorted(files):
            relative = base / name if str(base) != "." else PurePosixPath(name)
            path = Path(root) / name
            if path.is_symlink() or not path.is_file():
                continue
            if rules.ignored(relative, False):
                if rules.secret(relative):
                    secrets.append(str(relative))
                continue
            found.append(relative)
    return sorted(found), sorted(secrets)


def build_bundle(
    path: Path,
    *,
    metadata: dict[str, Any] | None = None,
    progress: Callable[[str], None] | None = None,
) -> Bundle:
    """The bundle of the program at ``path`` (a program file or its directory);
    ``progress`` is told of long steps (building a wheel).

    Raises:
        ProgramRejectedError: no program or no metadata found.
    """
    from runtime_kit.project import locate

    layout, _ = locate(path)
    if layout.program is None:
        raise ProgramRejectedError(f"{path}: no program file (program.py, main.py, ...)")
    if metadata is None:
        if layout.metadata is None:
            raise ProgramRejectedError(f"{path}: no metadata file")
        metadata = load_v2(layout.metadata)
    if not isinstance(metadata.get("name"), str) or not metadata["name"]:
        raise ProgramRejectedError(f"{layout.metadata or path}: the metadata has no name")
    directory = layout.directory
    entry = layout.program.relative_to(directory).as_posix()
    files, left_out = ([], []) if path.is_file() else _collect(directory)
    if layout.metadata is not None and not path.is_file():
        files = [f for f in files if (directory / f) != layout.metadata]
    if path.is_file() or _single_file(files, entry):
        source = layout.program.read_bytes()
        manifest = _manifest([(entry, source)], entry, metadata)
        return Bundle(
            metadata["name"],
            _version(metadata),
            "source",
            source,
            metadata,
            manifest,
            [(entry, len(source))],
            tuple(left_out),
        )
    contents = [(str(f), (directory / f).read_bytes()) for f in files]
    if (directory / "pyproject.toml").is_file():
        if progress is not None:
            progress(f"building the wheel of {directory} (PyPA build) ...")
        contents += _wheel(directory)
    contents.sort()
    manifest = _manifest(contents, entry, metadata)
    environment = _environment(directory)
    if environment is not None:
        manifest["environment"] = environment
    data = _zip(contents, metadata, manifest)
    return Bundle(
        metadata["name"],
        _version(metadata),
        "zip",
        data,
        metadata,
        manifest,
        [(n, len(b)) for n, b in contents],
        tuple(left_out),
    )


def _environment(directory: Path) -> dict[str, Any] | None:
    """The manifest's ``environment``: what the program declares (requirements.txt,
    pyproject.toml, .python-version, all in the bundle); None when it declares nothing.

    Raises:
        ProgramRejectedError: a declaration ``validate`` finds errors in.
    """
    from runtime_kit.checks.environment import environment_of

    spec, findings = environment_of(directory)
    if findings:
        listed = "\n".join(str(f) for f in findings)
        raise ProgramRejectedError(f"the program's environment has errors:\n{listed}")
    return spec.describe() if spec.declared else None


def _single_file(files: list[PurePosixPath], entry: str) -> bool:
    import fnmatch

    needed = [str(f) for f in files if not any(fnmatch.fnmatch(str(f), p) for p in NOT_PROGRAM)]
    return needed == [entry]


def _version(metadata: dict[str, Any]) -> str:
    return str(metadata.get("version") or "0")


def _manifest(
    contents: list[tuple[str, bytes]], entry: str, metadata: dict[str, Any]
) -> dict[str, Any]:
    return {
        "format": 1,
        "name": metadata.get("name"),
        "version": _version(metadata),
        "entry_point": entry,
        "runtime_kit": __version__,
        "files": [
            {"path": name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
            for name, data in contents
        ],
    }


def _zip(
    contents: list[tuple[str, bytes]], metadata: dict[str, Any], manifest: dict[str, Any]
) -> bytes:
    entries = [
        *contents,
        ("manifest.json", _json_bytes(manifest)),
    ]
    if not any(name == "metadata.json" for name, _ in contents):
        entries.append(("metadata.json", _json_bytes(metadata)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = (0o100644) << 16
            archive.writestr(info, data, compresslevel=9)
    return buffer.getvalue()


def _json_bytes(value: Any) -> bytes:
    return (json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def _wheel(directory: Path) -> list[tuple[str, bytes]]:
    """The wheel of a directory with ``pyproject.toml`` (PyPA build), reproducibly."""
    with tempfile.TemporaryDirectory(prefix="runtime-kit-wheel-") as out:
        env = {**os.environ, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH}
        done = subprocess.run(
            [sys.executable, "-m", "build", "--wheel", "--outdir", out, str(directory)],
            capture_output=True, text=True, env=env, timeout=600, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
            raise ProgramRejectedError(f"{directory}: building the wheel failed: {' '.join(tail)}")
        return [
            (f"wheels/{wheel.name}", wheel.read_bytes())
            for wheel in sorted(Path(out).glob("*.whl"))
        ]
