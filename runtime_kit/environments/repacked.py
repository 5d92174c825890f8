"""Old source distributions uv no longer reads, repacked as it reads them.

uv takes a source distribution only as ``.tar.gz`` or ``.zip`` (PEP 625): it refuses
``.tar.bz2`` and ``.tar.xz``.  Some old releases were published only so: python-constraint
1.4.0 (``.tar.bz2``), which every qiskit-terra from 0.17 to 0.20 requires, is the one that
matters here, and without it no program of 2021 (qiskit-terra <= 0.20, ``BaseBackend``) could
have an environment.  When uv's resolution fails saying so, the builder asks ``repack`` for
each such release: its file is fetched from the same package index (its sha256 checked), and
its members are written, unchanged, into ``NAME-VERSION.tar.gz`` in a directory uv is then
given as ``--find-links``.  Nothing of the package runs here; building it (its ``setup.py``)
happens in the build's sandbox like any other source distribution's.
"""

from __future__ import annotations

import hashlib
import html.parser
import io
import re
import tarfile
import urllib.parse
import urllib.request
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from runtime_kit.errors import ProgramEnvironmentError

PYPI_SIMPLE = "https://pypi.org/simple"
#: uv's words for a release it refuses for its file name.
_REFUSED = re.compile(
    r"Because (?P<name>[A-Za-z0-9._-]+)==(?P<version>[A-Za-z0-9.!+_-]+) has a non-PEP "
    r"625-compliant source distribution filename"
)
_OLD_SUFFIXES = (".tar.bz2", ".tbz", ".tar.xz", ".txz", ".tar")
_TIMEOUT_S = 120.0
_MAX_BYTES = 256 * 1024 * 1024


def refused_releases(lines: Iterable[str]) -> list[tuple[str, str]]:
    """The (name, version) releases uv's output says it refused for their file names."""
    found = _REFUSED.finditer(" ".join(lines))
    return list(dict.fromkeys((match["name"], match["version"]) for match in found))


def repack(name: str, version: str, index_url: str | None, directory: Path) -> Path:
    """``directory/NAME-VERSION.tar.gz`` (NAME normalised as PEP 625 has it), made from the
    release's old-style source distribution on the index (``index_url``, default PyPI).

    Raises:
        ProgramEnvironmentError: the index has no such file, or it cannot be fetched or read.
    """
    stem = f"{re.sub(r'[-_.]+', '_', name).lower()}-{version}"
    target = directory / f"{stem}.tar.gz"
    if target.is_file():
        return target
    url, digest = _old_sdist_url(name, version, index_url or PYPI_SIMPLE)
    data = _fetch(url)
    if digest is not None and hashlib.sha256(data).hexdigest() != digest:
        raise ProgramEnvironmentError(f"{url}: its sha256 is not the one the index gives")
    directory.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    try:
        with (
            tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as old,
            tarfile.open(partial, mode="w:gz") as new,
        ):
            for member in old.getmembers():
                _copy_member(old, new, member, stem)
    except (tarfile.TarError, OSError, EOFError) as exc:
        partial.unlink(missing_ok=True)
        raise ProgramEnvironmentError(f"{url}: cannot repack it: {exc}") from exc
    partial.rename(target)
    return target


def _copy_member(
    old: tarfile.TarFile, new: tarfile.TarFile, member: tarfile.TarInfo, stem: str
) -> None:
    """``member`` under ``stem/`` (the top directory PEP 625 names); links and devices are
    dropped, a path that leaves the archive refuses it."""
    parts = PurePosixPath(member.name).parts
    if member.name.startswith("/") or ".." in parts:
        raise tarfile.TarError(f"member {member.name!r} leaves the archive")
    if not (member.isfile() or member.isdir()):
        return
    member.name = "/".join([stem, *parts[1:]])
    new.addfile(member, old.extractfile(member) if member.isfile() else None)


def _old_sdist_url(name: str, version: str, index_url: str) -> tuple[str, str | None]:
    normalized = re.sub(r"[-_.]+", "-", name).lower()
    page_url = f"{index_url.rstrip('/')}/{normalized}/"
    links = _Links()
    links.feed(_fetch(page_url).decode("utf-8", "replace"))
    for href in links.hrefs:
        absolute = urllib.parse.urljoin(page_url, href)
        path, _, fragment = absolute.partition("#")
        filename = urllib.parse.unquote(path.rsplit("/", 1)[-1]).lower()
        suffix = next((end for end in _OLD_SUFFIXES if filename.endswith(end)), None)
        if suffix is None:
            continue
        project, _, found = filename[: -len(suffix)].rpartition("-")
        if re.sub(r"[-_.]+", "-", project) == normalized and found == version.lower():
            digest = fragment[len("sha256=") :] if fragment.startswith("sha256=") else None
            return path, digest
    raise ProgramEnvironmentError(
        f"the package index has no old-style source distribution of {name} {version} to repack"
    )


def _fetch(url: str) -> bytes:
    if not url.startswith(("https://", "http://")):
        raise ProgramEnvironmentError(f"{url}: only an http(s) index can be fetched from")
    request = urllib.request.Request(url, headers={"Accept": "text/html"})
    try:
        with urllib.request.urlopen(request, timeout=_TIMEOUT_S) as response:
            data: bytes = response.read(_MAX_BYTES + 1)
    except OSError as exc:
        raise ProgramEnvironmentError(f"cannot fetch {url}: {exc}") from exc
    if len(data) > _MAX_BYTES:
        raise ProgramEnvironmentError(f"{url}: larger than {_MAX_BYTES // 2**20} MiB")
    return data


class _Links(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)
