"""The simulators a service offers, by the name clients send: the names (and aliases) of
``runtime_kit.harness.backends``, one parser for ``runtime-kit run`` and the service."""

from __future__ import annotations

from runtime_kit.harness.backends import DEFAULT_BACKEND, BackendSpec, find_backend, parse_backend

__all__ = ["DEFAULT_BACKEND", "backend_spec", "resolve_backend"]


def backend_spec(name: str | None) -> BackendSpec | None:
    """The simulator for a backend name (``generic-N`` for N qubits), or None if unknown."""
    return find_backend(name)


def resolve_backend(name: str | None) -> BackendSpec:
    """``backend_spec`` of a name the service accepted when the job was submitted.

    Raises:
        InputValueError: the name is not a backend (also a ``ValueError``).
    """
    return parse_backend(name or DEFAULT_BACKEND)
