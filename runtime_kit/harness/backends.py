"""Backends by name, for the harness (``runtime-kit run``) and the service alike.

``parse_backend`` turns a name into the ``BackendSpec`` a job carries, asking the backend
providers in order (those chosen with ``--backend-provider``, then ``simulators`` and
``snapshots``; see ``runtime_kit.backends``).  It needs no qiskit, so a bad ``--backend`` is
rejected before anything starts.  ``build_backend`` makes the ``ProgramBackend`` in the
job's process.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

from runtime_kit.backends.provider import BackendSpec
from runtime_kit.backends.registry import Backends, get_provider
from runtime_kit.errors import InputValueError

__all__ = ["DEFAULT_BACKEND", "BackendSpec", "build_backend", "find_backend", "parse_backend"]

DEFAULT_BACKEND = "aer_simulator"
#: What a job's configuration document assumes it may use when none is said.
DEFAULT_MEMORY_MIB = 4096


def parse_backend(name: str, providers: Iterable[str] = ()) -> BackendSpec:
    """The backend called ``name``, of ``providers`` or the default ones.

    Raises:
        InputValueError: no provider has a backend of that name, or it cannot work.
        ConfigurationError: a provider that cannot be loaded.
    """
    return Backends(providers).resolve(name)


def find_backend(name: str | None, providers: Iterable[str] = ()) -> BackendSpec | None:
    """The backend called ``name`` (None: the default one), or None for a name that
    ``parse_backend`` refuses."""
    try:
        return parse_backend(name or DEFAULT_BACKEND, providers)
    except InputValueError:
        return None


def build_backend(spec: BackendSpec, *, seed: int, memory_mib: int = DEFAULT_MEMORY_MIB) -> Any:
    """The ``ProgramBackend`` for ``spec``; each of its sampling calls draws a seed from a
    stream that ``seed`` starts (``runtime_kit.program.seeds``)."""
    from runtime_kit.program.backend import ProgramBackend

    memory_mib = memory_mib or DEFAULT_MEMORY_MIB
    provider = get_provider(spec.provider)
    return ProgramBackend(
        provider.build(spec.name, seed=seed),
        name=spec.name,
        seed=seed,
        configuration=functools.partial(provider.configuration, spec.name, memory_mib=memory_mib),
        properties=functools.partial(provider.properties, spec.name),
    )
