"""``SnapshotProvider``: the device snapshots as a backend provider (see the package)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from runtime_kit.backends.provider import BackendInfo
from runtime_kit.backends.snapshots.files import configuration_of, properties_of
from runtime_kit.backends.snapshots.snapshot import Snapshot
from runtime_kit.backends.snapshots.table import SNAPSHOTS
from runtime_kit.errors import InputValueError

#: Every name and alias, lower case -> its snapshot.
BY_NAME = {name: snapshot for snapshot in SNAPSHOTS for name in (snapshot.name, *snapshot.aliases)}


def find_snapshot(name: str) -> Snapshot | None:
    """The snapshot of the device called ``name`` (or one of its aliases), if any."""
    return BY_NAME.get(name.strip().lower())


class SnapshotProvider:
    """The built-in provider of IBM's device snapshots."""

    name = "snapshots"

    def backends(self) -> Sequence[BackendInfo]:
        return [
            BackendInfo(
                snapshot.name,
                snapshot.num_qubits,
                False,
                f"snapshot of IBM's {snapshot.num_qubits}-qubit device, Aer with its noise",
                snapshot.aliases,
            )
            for snapshot in SNAPSHOTS
        ]

    def find(self, name: str) -> str | None:
        snapshot = find_snapshot(name)
        return None if snapshot is None else snapshot.name

    def configuration(self, name: str, *, memory_mib: int) -> dict[str, Any]:
        """The snapshot's configuration as IBM served it, under ``name``; served for circuits
        only (``open_pulse`` false: the snapshots hold no pulse defaults)."""
        return {
            **configuration_of(_snapshot(name)),
            "backend_name": name,
            "open_pulse": False,
            "simulator": False,
            "local": False,
        }

    def properties(self, name: str) -> dict[str, Any]:
        return {**properties_of(_snapshot(name)), "backend_name": name}

    def build(self, name: str, *, seed: int) -> Any:
        from runtime_kit.backends.snapshots.device import simulator

        return simulator(_snapshot(name))

    def prepare(self, names: Collection[str]) -> None:
        from runtime_kit.backends.snapshots.device import prepare

        prepare(_snapshot(name) for name in names)


def _snapshot(name: str) -> Snapshot:
    snapshot = find_snapshot(name)
    if snapshot is None:
        raise InputValueError(f"unknown device {name!r}", name="backend")
    return snapshot
