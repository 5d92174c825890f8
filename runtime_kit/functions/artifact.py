"""A function's uploaded working directory (the tar ``ServerlessClient.upload`` sends), taken
apart entry by entry and stored as a program bundle (a zip), never extracted as it came.

Only plain files and folders with relative paths inside the archive are taken: an absolute
path, a ``..``, a link (symbolic or hard), a device or a FIFO refuses the whole upload, as do
more entries, a larger entry or a larger total than a program bundle may have
(``runtime_kit.service.core.bundles``).  The zip is byte-reproducible (sorted entries, fixed times
and modes); the function's ``dependencies`` become its ``requirements.txt``.
"""

from __future__ import annotations

import io
import tarfile
import zipfile
import zlib
from pathlib import PurePosixPath

from runtime_kit.errors import BundleError
from runtime_kit.service.core.bundles import (
    MAX_ENTRIES,
    MAX_ENTRY_BYTES,
    MAX_RATIO,
    MAX_TOTAL_BYTES,
)

REQUIREMENTS = "requirements.txt"
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def read_artifact(raw: bytes) -> dict[str, bytes]:
    """The files of the tar ``raw`` (plain or compressed) by their relative path.

    Raises:
        BundleError: not a tar archive (400), an entry that is not a plain file or folder
            inside it (400), or over the limits (413).
    """
    try:
        archive = tarfile.open(fileobj=io.BytesIO(raw), mode="r:*")  # noqa: SIM115  (closed below)
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise BundleError(f"artifact is not a tar archive ({exc})") from exc
    try:
        return _files(archive)
    except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        raise BundleError(f"artifact is not a valid tar archive ({exc})") from exc
    finally:
        archive.close()


def _files(archive: tarfile.TarFile) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    total = 0
    for count, member in enumerate(archive, start=1):
        if count > MAX_ENTRIES:
            raise BundleError(f"artifact has more than {MAX_ENTRIES} entries", 413)
        name = checked_name(member)
        if member.isdir():
            continue
        total += member.size
        if member.size > MAX_ENTRY_BYTES or total > MAX_TOTAL_BYTES:
            raise BundleError(f"artifact unpacks to more than the limit ({name})", 413)
        content = archive.extractfile(member)
        if content is None:  # pragma: no cover  (a regular file always has content)
            raise BundleError(f"artifact entry {name!r} cannot be read")
        files[name] = content.read(member.size)
    return files


def checked_name(member: tarfile.TarInfo) -> str:
    """The member's path, once it is a plain file or folder inside the archive."""
    name = member.name
    path = PurePosixPath(name)
    if name.startswith(("/", "\\")) or path.is_absolute() or name[1:2] == ":":
        raise BundleError(f"artifact entry {name!r} has an absolute path")
    if ".." in path.parts or "\\" in name:
        raise BundleError(f"artifact entry {name!r} leaves the working directory")
    if member.issym() or member.islnk():
        raise BundleError(f"artifact entry {name!r} is a link (upload the file it points to)")
    if not (member.isfile() or member.isdir()):
        raise BundleError(f"artifact entry {name!r} is not a plain file or folder")
    return path.as_posix()


def function_bundle(files: dict[str, bytes], dependencies: list[str]) -> bytes:
    """The zip bundle of a function: its files, and ``requirements.txt`` from its
    ``dependencies`` (refused when the working directory has a different one).

    Raises:
        BundleError: both declare requirements, and not the same.
    """
    files = dict(files)
    if dependencies:
        declared = "".join(f"{line}\n" for line in dependencies).encode()
        present = files.get(REQUIREMENTS)
        if present is not None and present.split() != declared.split():
            raise BundleError(
                "the working directory has a requirements.txt and the function has "
                "dependencies: declare the requirements in one place"
            )
        files[REQUIREMENTS] = declared
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name in sorted(files):
            entry = zipfile.ZipInfo(name, _FIXED_TIME)
            entry.external_attr = 0o100644 << 16
            entry.compress_type = _compression(files[name])
            bundle.writestr(entry, files[name])
    return buffer.getvalue()


def _compression(data: bytes) -> int:
    """Deflate, unless the file compresses so well that the bundle checks would take it for
    a zip bomb (``MAX_RATIO``): then it is stored as it is."""
    squeezed = len(zlib.compress(data, 1)) or 1
    return zipfile.ZIP_STORED if len(data) / squeezed > MAX_RATIO / 2 else zipfile.ZIP_DEFLATED
