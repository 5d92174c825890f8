"""Program data as uploaded: source (legacy) or a zip bundle, checked before storing (the
upload is decoded and checked as it arrives: ``uploads``).

A zip is accepted only if every entry is a plain file or directory with a relative path
inside the bundle (no absolute paths, no ``..``, no links), within limits of entry count,
single-entry size and total size (a zip bomb is refused from its headers).
"""

from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path, PurePosixPath
from typing import NamedTuple

from runtime_kit.errors import BundleError
from runtime_kit.service.core.zip_count import count_entries

ZIP_MAGIC = b"PK\x03\x04"
MAX_ENTRIES = 10_000
MAX_ENTRY_BYTES = 64 * 1024 * 1024
MAX_TOTAL_BYTES = 256 * 1024 * 1024
MAX_RATIO = 200


class ProgramData(NamedTuple):
    raw: bytes
    kind: str  # "source" or "zip"


#: What ``zipfile`` can read (others, such as AES or deflate64, fail only when unpacked).
_READABLE = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA)


def check_zip(raw: bytes | Path) -> list[zipfile.ZipInfo]:
    """The entries of a zip bundle (its bytes, or its file), each checked; refused from
    its end records when it holds too many (``zip_count``)."""
    with io.BytesIO(raw) if isinstance(raw, bytes) else raw.open("rb") as file:
        count_entries(file, MAX_ENTRIES)
        try:
            archive = zipfile.ZipFile(file)
            entries = archive.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
            raise BundleError(f"data is not a valid zip bundle ({exc})") from exc
    total = 0
    for entry in entries:
        _check_entry(entry)
        total += entry.file_size
        if entry.file_size > MAX_ENTRY_BYTES or total > MAX_TOTAL_BYTES:
            raise BundleError(f"bundle unpacks to more than the limit ({entry.filename})", 413)
        if entry.compress_size and entry.file_size / entry.compress_size > MAX_RATIO:
            raise BundleError(f"bundle entry {entry.filename!r} is compressed suspiciously", 413)
    return entries


def _check_entry(entry: zipfile.ZipInfo) -> None:
    name = entry.filename
    path = PurePosixPath(name)
    if name.startswith(("/", "\\")) or path.is_absolute() or name[1:2] == ":":
        raise BundleError(f"bundle entry {name!r} has an absolute path")
    if ".." in path.parts or "\\" in name:
        raise BundleError(f"bundle entry {name!r} leaves the bundle")
    if entry.flag_bits & 0x1:
        raise BundleError(f"bundle entry {name!r} is encrypted")
    if entry.compress_type not in _READABLE:
        raise BundleError(f"bundle entry {name!r} uses compression method {entry.compress_type}")
    kind = stat.S_IFMT(entry.external_attr >> 16)  # 0: no Unix type recorded, a plain file
    if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
        raise BundleError(f"bundle entry {name!r} is not a plain file (link or device)")


def unpack(data: ProgramData, directory: Path) -> None:
    """Write the program into ``directory``: ``program.py``, or the bundle's files."""
    directory.mkdir(parents=True, exist_ok=True)
    if data.kind == "source":
        (directory / "program.py").write_bytes(data.raw)
        return
    archive = zipfile.ZipFile(io.BytesIO(data.raw))
    for entry in check_zip(data.raw):
        target = directory / PurePosixPath(entry.filename)
        if entry.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        with archive.open(entry) as source, open(target, "wb") as out:
            remaining = MAX_ENTRY_BYTES + 1
            while chunk := source.read(min(65536, remaining)):
                out.write(chunk)
                remaining -= len(chunk)
            if remaining <= 0:
                raise BundleError(f"bundle entry {entry.filename!r} is larger than declared", 413)
