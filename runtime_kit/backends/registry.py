"""Backend providers by name, and the backends of a chosen set of them.

``get_provider(name)`` gives the built-in providers (``BUILTIN``) and the plug-ins: entry points
in the group ``runtime_kit.backend_providers``, each naming a ``BackendProvider`` object.
Each is loaded once per process.  ``Backends`` is an ordered set of providers (the ones an
operator or a user chose, then the defaults: ``simulators`` and ``snapshots``): it turns a
backend name into the ``BackendSpec`` a job carries, the first provider that knows the name
winning.  Naming backends this way imports no qiskit for the built-in providers.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Iterable
from functools import cached_property
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from runtime_kit.backends.provider import BackendInfo, BackendProvider, BackendSpec
from runtime_kit.errors import ConfigurationError, InputValueError

ENTRY_POINT_GROUP = "runtime_kit.backend_providers"
#: The built-in providers: name -> "module:attribute" of a factory (imported on first use).
BUILTIN = {
    "simulators": "runtime_kit.backends.simulators:SimulatorProvider",
    "snapshots": "runtime_kit.backends.snapshots.provider:SnapshotProvider",
    "ibm-quantum": "runtime_kit.backends.ibm_quantum.provider:IBMQuantumProvider",
}
#: The providers every ``Backends`` has, after the chosen ones.
DEFAULT_PROVIDERS = ("simulators", "snapshots")
#: What an unknown backend name is told it could be (the default providers' names).
DEFAULT_OFFER = (
    "aer_simulator, basic_simulator, generic-N, noisy-N, or an IBM device snapshot such as "
    "ibmq_montreal or ibm_sherbrooke (runtime-kit backends list)"
)

_loaded: dict[str, BackendProvider] = {}
_lock = threading.Lock()


def get_provider(name: str) -> BackendProvider:
    """The provider called ``name``, loaded once per process.

    Raises:
        ConfigurationError: no provider of that name, or a plug-in that cannot be loaded or
            is not a ``BackendProvider``.
    """
    with _lock:
        found = _loaded.get(name)
        if found is None:
            found = _loaded[name] = _load(name)
        return found


def provider_names() -> list[str]:
    """The built-in providers and the installed plug-ins (found, not loaded)."""
    return [*BUILTIN, *sorted(point.name for point in _plugins() if point.name not in BUILTIN)]


def prepare_backends(specs: Iterable[BackendSpec]) -> None:
    """Do the costly part of building ``specs`` now, once for this process (each provider's
    ``prepare``): a warm worker, or a process that forks the jobs, does it before any job."""
    by_provider: dict[str, list[str]] = {}
    for spec in specs:
        by_provider.setdefault(spec.provider, []).append(spec.name)
    for name, backends in by_provider.items():
        get_provider(name).prepare(backends)


def register(opened: BackendProvider) -> None:
    """Use ``opened`` under its name in this process (the service registers the
    ``ibm-quantum`` provider it opened with the operator's account)."""
    with _lock:
        _loaded[opened.name] = opened


class Backends:
    """The backends of ``chosen`` providers, then the default ones, by name.

    Args:
        chosen: provider names, first come first asked (duplicates and defaults dropped).
    """

    def __init__(self, chosen: Iterable[str] = ()) -> None:
        names = [*chosen, *DEFAULT_PROVIDERS]
        self.provider_names: tuple[str, ...] = tuple(dict.fromkeys(names))

    @cached_property
    def providers(self) -> tuple[BackendProvider, ...]:
        return tuple(get_provider(name) for name in self.provider_names)

    def find(self, name: str) -> BackendSpec | None:
        """The backend called ``name``, or None if no provider has one of that name.

        Raises:
            InputValueError: a provider's name that cannot work (says why).
        """
        for source in self.providers:
            canonical = source.find(name)
            if canonical is not None:
                return BackendSpec(source.name, canonical)
        return None

    def resolve(self, name: str) -> BackendSpec:
        """``find``, for a name that must be a backend.

        Raises:
            InputValueError: no provider has a backend of that name, or it cannot work.
        """
        spec = self.find(name)
        if spec is None:
            message = f"unknown backend {name!r}: expected {self.offer}"
            raise InputValueError(message, name="backend")
        return spec

    def listed(self) -> list[tuple[str, BackendInfo]]:
        """Every listed backend, with its provider's name (a name listed twice: the first)."""
        seen: set[str] = set()
        found = []
        for source in self.providers:
            for info in source.backends():
                if info.name not in seen:
                    seen.add(info.name)
                    found.append((source.name, info))
        return found

    def provider_of(self, spec: BackendSpec) -> BackendProvider:
        return get_provider(spec.provider)

    @property
    def offer(self) -> str:
        chosen = [name for name in self.provider_names if name not in DEFAULT_PROVIDERS]
        if not chosen:
            return DEFAULT_OFFER
        return f"a backend of {', '.join(chosen)}, or {DEFAULT_OFFER}"


def _load(name: str) -> BackendProvider:
    if name in BUILTIN:
        module, _, attribute = BUILTIN[name].partition(":")
        factory: Callable[[], Any] = getattr(importlib.import_module(module), attribute)
        return checked(factory(), name)
    point = next((point for point in _plugins() if point.name == name), None)
    if point is None:
        raise ConfigurationError(
            f"no backend provider {name!r}: expected one of {', '.join(provider_names())}"
        )
    try:
        loaded = point.load()
    except Exception as exc:  # whatever a plug-in raises on import
        raise ConfigurationError(
            f"backend provider {name!r} ({point.value}) cannot be loaded: {exc}"
        ) from exc
    return checked(loaded, name)


def checked(candidate: Any, name: str) -> BackendProvider:
    """``candidate`` if it is a ``BackendProvider`` called ``name``.

    Raises:
        ConfigurationError: it is not one, or has another name.
    """
    missing = [attribute for attribute in _ATTRIBUTES if not hasattr(candidate, attribute)]
    if missing:
        raise ConfigurationError(
            f"backend provider {name!r} is not a BackendProvider (it has no "
            f"{', '.join(missing)}): see runtime_kit.backends.provider"
        )
    if candidate.name != name:
        raise ConfigurationError(
            f"backend provider {name!r} calls itself {candidate.name!r}: its entry point "
            "must have its name"
        )
    found: BackendProvider = candidate
    return found


_ATTRIBUTES = ("name", "backends", "find", "configuration", "properties", "build", "prepare")


def _plugins() -> list[EntryPoint]:
    return list(entry_points(group=ENTRY_POINT_GROUP))
