"""Program environments on the service: ``ProgramEnvironments``.

A program whose bundle (or single source file, in a PEP 723 ``# /// script`` block) declares
requirements runtime-kit's own environment does not satisfy (see ``runtime_kit.environments``)
runs in an environment of its own.  At upload the
declaration is checked (its syntax, the operator's allow-list, an interpreter of its Python;
refused when environments are off).  At a job's start the scheduler asks ``prepare`` for the
environment: built once in the cache (in a sandbox of its own, ``build_sandbox``, the build's
lines going to the job's logs as they come), then mounted read-only into the job's sandbox.
"""

from __future__ import annotations

import io
import os
import threading
import zipfile
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runtime_kit.environments.builder import BuildPolicy, Environment, EnvironmentBuilder
from runtime_kit.environments.cache import EnvironmentCache
from runtime_kit.environments.declaration import (
    DECLARATION_FILES,
    INLINE_SCRIPT,
    EnvironmentSpec,
    read_declaration,
    read_inline,
)
from runtime_kit.errors import ProgramEnvironmentError
from runtime_kit.findings import Finding

MIB = 1024 * 1024


@dataclass(frozen=True)
class EnvironmentSettings:
    """The operator's settings (``serve --environments ...``; see docs/environments.md)."""

    enabled: bool = True
    #: where built environments and uv's downloads are kept (default: <data dir>/environments)
    directory: Path | None = None
    max_mib: int = 20 * 1024
    index_url: str | None = None
    #: more hosts (``host`` or ``host:port``) a build may reach: where the index keeps its files
    index_hosts: tuple[str, ...] = ()
    #: package names a program may require (None: any)
    allowed: frozenset[str] | None = None
    build_timeout_s: float = 1800.0
    build_memory_mib: int = 4096
    build_disk_mib: int = 8192


class ProgramEnvironments:
    def __init__(
        self,
        settings: EnvironmentSettings,
        *,
        data_dir: Path,
        sandboxed: bool,
        executor: str = "local",
    ) -> None:
        self.settings = settings
        self.off_reason: str | None = None
        if not settings.enabled:
            self.off_reason = "this service runs no program environments (--environments off)"
        elif executor != "local":
            self.off_reason = (
                f"program environments need the local executor (this service uses {executor})"
            )
        self.directory = settings.directory or data_dir / "environments"
        self._specs: dict[str, EnvironmentSpec | None] = {}
        self._lock = threading.Lock()
        self._builder: EnvironmentBuilder | None = None
        if self.off_reason is None:
            cache = EnvironmentCache(self.directory, max_bytes=settings.max_mib * MIB)
            policy = BuildPolicy(settings.index_url, settings.allowed, settings.build_timeout_s)
            self._builder = EnvironmentBuilder(
                cache, policy=policy, runner=self._runner(data_dir, sandboxed)
            )

    def _runner(self, data_dir: Path, sandboxed: bool) -> Any:
        if not sandboxed:
            from runtime_kit.environments.uv import run_plainly

            return run_plainly
        from urllib.parse import unquote, urlsplit

        from runtime_kit.environments.build_sandbox import BuildSandbox
        from runtime_kit.environments.index_proxy import index_hosts

        index_url = self.settings.index_url
        index_dir = None
        if index_url is not None and index_url.startswith("file://"):
            index_dir = Path(unquote(urlsplit(index_url).path))
        hidden = [data_dir, Path(os.path.expanduser("~"))]
        return BuildSandbox(
            hidden=hidden,
            memory_mib=self.settings.build_memory_mib,
            disk_mib=self.settings.build_disk_mib,
            index_hosts=index_hosts(index_url, self.settings.index_hosts),
            index_dir=index_dir,
        )

    # --- upload --------------------------------------------------------------------------

    def check_upload(self, raw: bytes | Path, kind: str) -> None:
        """Refuse program data whose environment this service cannot give.

        Raises:
            ProgramEnvironmentError: the declaration has errors (the first, with its line),
                environments are off, a requirement is not allowed, or there is no
                interpreter of the Python it names (one line each).
        """
        spec = declared_environment(raw, kind)
        if not spec.needs_own_environment():
            return
        what = ", ".join(spec.files)
        if self.off_reason is not None:
            raise ProgramEnvironmentError(
                f"{self.off_reason}: the program declares requirements ({what}) that the "
                "service's own environment does not satisfy"
            )
        assert self._builder is not None
        refusal = self._builder.policy.refusal(spec)
        if refusal is not None:
            raise ProgramEnvironmentError(refusal)
        from runtime_kit.environments.interpreters import find_interpreter

        find_interpreter(spec.python)

    # --- jobs ----------------------------------------------------------------------------

    def own_environment(
        self, digest: str, raw: Callable[[], bytes], kind: str
    ) -> EnvironmentSpec | None:
        """The environment of the program data ``digest`` when it needs one of its own
        (remembered per digest: program data never changes)."""
        with self._lock:
            if digest in self._specs:
                return self._specs[digest]
        try:
            spec: EnvironmentSpec | None = declared_environment(raw(), kind)
        except ProgramEnvironmentError:
            spec = None  # checked at upload; data stored before this release: none
        if spec is not None and not spec.needs_own_environment():
            spec = None
        with self._lock:
            self._specs[digest] = spec
        return spec

    def prepare(
        self, spec: EnvironmentSpec, *, owner: str, log: Callable[[str], None]
    ) -> Environment:
        """The built environment of ``spec`` (built now if it is not yet).

        Raises:
            ProgramEnvironmentError: environments are off, or it cannot be built.
        """
        if self._builder is None:
            raise ProgramEnvironmentError(f"{self.off_reason}: the program declares requirements")
        return self._builder.prepare(spec, domain=f"owner-{owner}", log=log)

    def using(self, environment: Environment) -> AbstractContextManager[Path]:
        """Keep ``environment`` from eviction while a job runs in it."""
        assert self._builder is not None
        return self._builder.cache.using(environment.key)

    def describe(self) -> dict[str, Any]:
        if self._builder is None:
            return {"enabled": False, "reason": self.off_reason}
        return {
            "enabled": True,
            "index_url": self.settings.index_url or "https://pypi.org/simple",
            "allow_list": sorted(self.settings.allowed) if self.settings.allowed else None,
            **self._builder.cache.describe(),
        }


def declared_environment(raw: bytes | Path, kind: str) -> EnvironmentSpec:
    """The environment program data (``source`` or a ``zip`` bundle: its bytes or its file)
    declares: a bundle's files, a source's ``# /// script`` block (PEP 723).

    Raises:
        ProgramEnvironmentError: the declaration has errors (the first, with its line).
    """
    if kind != "zip":
        if not _mentions(raw, INLINE_SCRIPT.encode()):  # most sources: never read whole
            return EnvironmentSpec()
        source = raw if isinstance(raw, bytes) else raw.read_bytes()
        spec, findings = read_inline(source.decode("utf-8", errors="replace"), "program.py")
        _raise_first(findings)
        return spec
    archive = zipfile.ZipFile(io.BytesIO(raw) if isinstance(raw, bytes) else raw)
    names = set(archive.namelist())
    if not names & set(DECLARATION_FILES):
        return EnvironmentSpec()

    def read(name: str) -> bytes | None:
        return archive.read(name) if name in names else None

    spec, findings = read_declaration(read, lambda name: name)
    _raise_first(findings)
    return spec


def _mentions(raw: bytes | Path, marker: bytes, chunk: int = 1024 * 1024) -> bool:
    """Whether ``marker`` occurs in the data, read a chunk at a time (an upload's source may
    be tens of MiB, and ten of them may arrive at once)."""
    if isinstance(raw, bytes):
        return marker in raw
    with raw.open("rb") as data:
        tail = b""
        while block := data.read(chunk):
            if marker in tail + block:
                return True
            tail = block[-(len(marker) - 1) :]
    return False


def _raise_first(findings: list[Finding]) -> None:
    if findings:
        first = findings[0]
        raise ProgramEnvironmentError(f"{first.path}:{first.line}:{first.col}: {first.message}")
