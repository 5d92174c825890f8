"""A blob on its way into the store: written piece by piece to a file of its own, hashed as it
comes, and kept under its sha256 digest (``blobs/<2 hex>/<digest>``) only once whole.

An upload is never held whole in memory: its pieces go to ``blobs/.incoming/`` as they are
decoded, and the file is renamed into place (or dropped, when the store has that content
already) when it is kept.  A blob not kept is removed; leftovers of a stopped service are
removed at its next start.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import NamedTuple

#: The directory of blobs being written, under the store's ``blobs``.
INCOMING = ".incoming"


class StagedData(NamedTuple):
    """Program data stored as a blob (not yet referred to by any row)."""

    digest: str
    kind: str  # "source" or "zip"
    size: int


class StagedBlob:
    """Args:
    incoming: where its file is written until it is kept.
    hold: ``hold(digest)``, a context that keeps the digest safe from removal while open.
    """

    def __init__(self, incoming: Path, hold: Callable[[str], AbstractContextManager[None]]) -> None:
        incoming.mkdir(mode=0o700, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=incoming)
        self._file = os.fdopen(handle, "wb")
        self._path = Path(name)
        self._hash = hashlib.sha256()
        self._hold = hold
        self._held: AbstractContextManager[None] | None = None
        self.size = 0
        self.digest: str | None = None

    @property
    def path(self) -> Path:
        """Where its content is now (the kept blob once kept)."""
        return self._path

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self._hash.update(data)
        self._file.write(data)
        self.size += len(data)

    def seal(self) -> Path:
        """No more writes: its content is on disk, durably (at ``path``, to be read)."""
        if not self._file.closed:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
        return self._path

    def keep(self) -> str:
        """Store it durably under its digest (returned); it is safe from removal until
        ``release``."""
        assert self.digest is None, "kept already"
        self.seal()
        digest = self._hash.hexdigest()
        self._held = self._hold(digest)
        self._held.__enter__()
        target = self._path.parent.parent / digest[:2] / digest
        if target.exists():
            self._path.unlink()
        else:
            target.parent.mkdir(exist_ok=True)
            os.chmod(self._path, 0o600)
            os.replace(self._path, target)
            _sync_directory(target.parent)
        self._path = target
        self.digest = digest
        return digest

    def release(self) -> None:
        """Remove it if it was not kept; let removal see it again if it was."""
        if self.digest is None:
            self._file.close()
            self._path.unlink(missing_ok=True)
        elif self._held is not None:
            self._held.__exit__(None, None, None)
            self._held = None


def _sync_directory(path: Path) -> None:
    directory = os.open(path, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        with contextlib.suppress(OSError):
            os.close(directory)
