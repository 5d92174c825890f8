"""The content-addressed cache of built environments, with least-recently-used eviction.

Layout under its root::

    envs/<key>/            a built environment (a virtual environment), never changed again
    envs/<key>/.runtime-kit-environment.json   what it was built from, its size
    locks/<key>.lock       held exclusively while <key> is built, shared while a job uses it
    building/<key>-<rand>/ a build in progress (renamed to envs/<key> when it succeeded)
    resolved/<hash>.json   a declaration's resolution (its key), reused by later jobs
    uv/<domain>/           uv's download cache of a trust domain (see builder.py)

A key is the sha256 of the resolved set and the interpreter's version (and, for builds that
ran a package's own code, the domain of who asked for it): the same key is the same content,
so an environment is built once and then only read.  ``evict`` removes the environments used
least recently until the cache holds at most the operator's size; one in use (a job holds its
lock) is never removed.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

INFO_FILE = ".runtime-kit-environment.json"
USED_FILE = ".runtime-kit-used"


class EnvironmentCache:
    def __init__(self, root: Path, *, max_bytes: int | None = None) -> None:
        self.root = root
        self.max_bytes = max_bytes
        for part in ("envs", "locks", "building", "resolved", "uv"):
            (root / part).mkdir(parents=True, exist_ok=True)

    def path(self, key: str) -> Path:
        return self.root / "envs" / key

    def built(self, key: str) -> bool:
        return (self.path(key) / INFO_FILE).is_file()

    def info(self, key: str) -> dict[str, Any]:
        info: dict[str, Any] = json.loads((self.path(key) / INFO_FILE).read_text())
        return info

    def uv_cache(self, domain: str) -> Path:
        return self.root / "uv" / domain

    @contextlib.contextmanager
    def building(self, key: str) -> Iterator[Path | None]:
        """Hold ``key``'s lock exclusively: yields a fresh directory to build into, or None
        when another process built it meanwhile (concurrent first jobs build once).  The
        directory becomes ``path(key)`` when the block ends without an error."""
        with self._lock(key, fcntl.LOCK_EX):
            if self.built(key):
                yield None
                return
            target = self.root / "building" / f"{key}-{os.getpid()}-{time.monotonic_ns()}"
            try:
                yield target
                if not (target / INFO_FILE).is_file():
                    raise RuntimeError(f"the build of {key} wrote no {INFO_FILE}")
                final = self.path(key)
                if final.exists():  # a broken leftover (no info file): replaced
                    shutil.rmtree(final)
                os.rename(target, final)
                _make_read_only(final)
            finally:
                if target.exists():
                    shutil.rmtree(target, ignore_errors=True)

    @contextlib.contextmanager
    def using(self, key: str) -> Iterator[Path]:
        """``key``'s environment, kept from eviction while the block runs; marks it used."""
        with self._lock(key, fcntl.LOCK_SH):
            path = self.path(key)
            _touch(self.root / "locks" / f"{key}.{USED_FILE}")
            yield path

    def evict(self, *, keep: str | None = None) -> list[str]:
        """Remove least recently used environments (never ``keep``, never one in use) until
        the cache holds at most ``max_bytes``; returns the keys removed."""
        if self.max_bytes is None:
            return []
        entries = []
        for path in (self.root / "envs").iterdir():
            if (path / INFO_FILE).is_file():
                entries.append((self._last_used(path.name), path.name, self._size(path.name)))
        total = sum(size for _, _, size in entries)
        removed = []
        for _, key, size in sorted(entries):
            if total <= self.max_bytes:
                break
            if key == keep or not self._remove_if_unused(key):
                continue
            total -= size
            removed.append(key)
        return removed

    def remember_resolution(self, declaration: str, resolution: dict[str, Any]) -> None:
        path = self.root / "resolved" / f"{declaration}.json"
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps(resolution))
        os.replace(temporary, path)

    def resolution(self, declaration: str) -> dict[str, Any] | None:
        path = self.root / "resolved" / f"{declaration}.json"
        try:
            found: dict[str, Any] = json.loads(path.read_text())
        except (OSError, ValueError):
            return None
        return found if self.built(found.get("key", "")) else None

    def describe(self) -> dict[str, Any]:
        keys = [p.name for p in (self.root / "envs").iterdir() if (p / INFO_FILE).is_file()]
        return {
            "environments": len(keys),
            "bytes": sum(self._size(key) for key in keys),
            "max_bytes": self.max_bytes,
        }

    # --- helpers -------------------------------------------------------------------------

    @contextlib.contextmanager
    def _lock(self, key: str, mode: int) -> Iterator[None]:
        with open(self.root / "locks" / f"{key}.lock", "a") as handle:
            fcntl.flock(handle, mode)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _remove_if_unused(self, key: str) -> bool:
        with open(self.root / "locks" / f"{key}.lock", "a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False  # a job uses it, or it is being built
            try:
                path = self.path(key)
                _make_writable(path)
                shutil.rmtree(path)
                for resolved in (self.root / "resolved").glob("*.json"):
                    with contextlib.suppress(OSError, ValueError):
                        if json.loads(resolved.read_text()).get("key") == key:
                            resolved.unlink()
                return True
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _last_used(self, key: str) -> float:
        marker = self.root / "locks" / f"{key}.{USED_FILE}"
        try:
            return marker.stat().st_mtime
        except OSError:
            return self.path(key).stat().st_mtime

    def _size(self, key: str) -> int:
        try:
            return int(self.info(key).get("bytes", 0))
        except (OSError, ValueError):
            return 0


def directory_bytes(path: Path) -> int:
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(root, name)).st_size
    return total


def _touch(path: Path) -> None:
    path.touch()
    os.utime(path)


def _make_read_only(path: Path) -> None:
    """No write bit anywhere in a built environment (the job's mount is read-only too)."""
    for root, dirs, files in os.walk(path):
        for name in files:
            full = os.path.join(root, name)
            if not os.path.islink(full):
                os.chmod(full, os.stat(full).st_mode & 0o555)
        for name in dirs:
            full = os.path.join(root, name)
            if not os.path.islink(full):
                os.chmod(full, 0o555)
    os.chmod(path, 0o555)


def _make_writable(path: Path) -> None:
    os.chmod(path, 0o755)
    for root, dirs, _ in os.walk(path):
        for name in dirs:
            full = os.path.join(root, name)
            if not os.path.islink(full):
                os.chmod(full, 0o755)
