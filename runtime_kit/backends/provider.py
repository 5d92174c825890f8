"""The backend-provider interface: what a source of backends gives runtime-kit.

A provider lists backends by name and builds them.  The built-in ones (``simulators``,
``snapshots``, ``ibm-quantum``) and plug-ins (an entry point in the group
``runtime_kit.backend_providers`` whose object is a ``BackendProvider``) are used alike:
``runtime-kit run --backend-provider NAME``, ``serve --backend-provider NAME``.

Two sides use a provider.  The side that names backends (the CLI, the service; it must stay
quick and never import qiskit for the built-ins) calls ``backends``, ``find``,
``configuration`` and ``properties``; the job's process calls ``build``, and a process that
forks jobs calls ``prepare`` first.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any, NamedTuple, Protocol, runtime_checkable


class BackendInfo(NamedTuple):
    """A backend as listed: its name, its qubits (None: it depends, as a simulator's on the
    job's memory), whether it is a simulator, a line that says what it is, other names."""

    name: str
    num_qubits: int | None
    simulator: bool
    description: str
    aliases: tuple[str, ...] = ()


class BackendSpec(NamedTuple):
    """A backend as a job names it: its provider and its name there (canonical)."""

    provider: str
    name: str

    def __str__(self) -> str:
        return self.name


@runtime_checkable
class BackendProvider(Protocol):
    """A source of backends (see the module's docstring)."""

    #: the name ``--backend-provider`` selects it by
    name: str

    def backends(self) -> Sequence[BackendInfo]:
        """The backends it lists (``backends list``, the account API's backend list)."""

    def find(self, name: str) -> str | None:
        """The canonical name of the backend called ``name`` (a name or an alias), or None
        if it has none of that name.

        Raises:
            InputValueError: a name of its kind that cannot work (say why).
        """

    def configuration(self, name: str, *, memory_mib: int) -> dict[str, Any]:
        """The backend's configuration document, as IBM's API served one
        (``QasmBackendConfiguration``: ``backend_name``, ``n_qubits``, ``basis_gates``,
        ``coupling_map``, ``simulator``, ...).  ``memory_mib``: what a job may use (a
        simulator's qubits depend on it)."""

    def properties(self, name: str) -> dict[str, Any] | None:
        """Its calibration properties document (``BackendProperties``), None if it has none."""

    def build(self, name: str, *, seed: int) -> Any:
        """The backend, in the job's process: a qiskit ``BackendV2`` whose ``run`` takes a
        ``seed_simulator`` per call (runtime-kit gives each call its own).  ``seed`` is the
        run's seed, for what the backend draws once (a made-up calibration)."""

    def prepare(self, names: Collection[str]) -> None:
        """Do the costly part of building ``names`` now, once for the process, so that jobs
        (or processes forked for them) find it done."""
