"""The backends a service offers: its providers' (``--backend-provider``, then the
simulators and the device snapshots), by the names clients send, and their documents.

A backend's configuration and properties documents are built once and kept as JSON bytes:
a request for them costs a dictionary lookup, however large the device (``noisy-127``'s
properties took ~1.2 s of CPU to build; IBM's 127-qubit snapshots are 150-360 KB).  Status
documents are made per request (they hold the queue length).  The service process never
imports qiskit for the built-in providers.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from typing import Any

from runtime_kit.backends.provider import BackendInfo, BackendSpec
from runtime_kit.backends.registry import Backends
from runtime_kit.errors import ConfigurationError, InputValueError
from runtime_kit.harness.backends import DEFAULT_BACKEND


class ServiceBackends:
    """The backends of one service.

    Args:
        providers: the providers chosen (``--backend-provider``), before the default ones.
        memory_mib: memory a job may use (a simulator's qubits depend on it).
    """

    def __init__(self, providers: Iterable[str] = (), *, memory_mib: int) -> None:
        self.catalog = Backends(providers)
        self.memory_mib = memory_mib
        self._documents: dict[tuple[str, str], bytes] = {}
        self._lock = threading.Lock()

    @property
    def provider_names(self) -> tuple[str, ...]:
        return self.catalog.provider_names

    def find(self, name: str | None) -> BackendSpec | None:
        """The backend a client names (None: the default one), or None if not offered.

        Raises:
            InputValueError: a name of a kind this service offers that cannot work.
        """
        return self.catalog.find(name or DEFAULT_BACKEND)

    def resolve(self, name: str | None) -> BackendSpec:
        """``find`` of a name the service accepted when the job was submitted.

        Raises:
            InputValueError: the name is not a backend (also a ``ValueError``).
        """
        return self.catalog.resolve(name or DEFAULT_BACKEND)

    def listed(self) -> list[BackendInfo]:
        """The backends listed to clients (``provider.backends()``), in order."""
        return [info for _, info in self.catalog.listed()]

    @property
    def offer(self) -> str:
        return self.catalog.offer

    def configuration(self, name: str, spec: BackendSpec) -> bytes:
        """The configuration document of the backend that clients call ``name`` (JSON)."""
        return self._document("configuration", name, spec)

    def properties(self, name: str, spec: BackendSpec) -> bytes:
        """Its properties document (JSON; ``{}`` for a backend without)."""
        return self._document("properties", name, spec)

    def to_prepare(self, names: Iterable[str]) -> list[BackendSpec]:
        """The backends called ``names``, for the workers to prepare.

        Raises:
            ConfigurationError: a name this service does not offer.
        """
        specs = []
        for name in names:
            try:
                specs.append(self.resolve(name))
            except InputValueError as exc:
                raise ConfigurationError(f"--prepare-backends: {exc}") from exc
        return specs

    def load(self) -> None:
        """Load the providers now.

        Raises:
            ConfigurationError: a provider that cannot be loaded.
        """
        _ = self.catalog.providers

    def _document(self, kind: str, name: str, spec: BackendSpec) -> bytes:
        key = (kind, name)
        with self._lock:
            found = self._documents.get(key)
        if found is not None:
            return found
        built = json.dumps(self._build(kind, name, spec), separators=(",", ":")).encode()
        with self._lock:
            return self._documents.setdefault(key, built)

    def _build(self, kind: str, name: str, spec: BackendSpec) -> dict[str, Any]:
        provider = self.catalog.provider_of(spec)
        if kind == "configuration":
            document = provider.configuration(spec.name, memory_mib=self.memory_mib)
        else:
            document = provider.properties(spec.name) or {}
        # served under the name asked for (an alias too), as IBM's API answered
        return {**document, "backend_name": name} if document else document
