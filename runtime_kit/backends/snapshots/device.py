"""A device snapshot made ready to simulate, once per process.

``Device`` holds what a job on the device needs: its documents, its calibration
(``BackendProperties``), its ``Target`` and its noise (``DeviceNoise``).  ``device(snapshot)``
makes each one once and keeps it; ``prepare(snapshots)`` does that ahead, for a process that
will fork the jobs (then each child finds the device ready), and
``DeviceSimulator`` runs circuits on it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

from runtime_kit.backends.snapshots.files import configuration_of, properties_of
from runtime_kit.backends.snapshots.noise import DeviceNoise
from runtime_kit.backends.snapshots.snapshot import Snapshot
from runtime_kit.backends.snapshots.target import build_target
from runtime_kit.program.properties import BackendProperties


class Device:
    """One device snapshot, ready to simulate."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.name = snapshot.name
        self.configuration: dict[str, Any] = configuration_of(snapshot)
        self.properties = BackendProperties(properties_of(snapshot))
        self.target = build_target(self.configuration, properties_of(snapshot))
        self.noise = DeviceNoise(self.target, self.properties)

    @property
    def max_shots(self) -> int:
        return int(self.configuration.get("max_shots") or 100_000)

    @property
    def max_experiments(self) -> int:
        return int(self.configuration.get("max_experiments") or 300)

    @property
    def description(self) -> str:
        processor = self.configuration.get("processor_type")
        family = processor.get("family") if isinstance(processor, dict) else None
        family = f" {family}" if family else ""
        return (
            f"{self.name}: the {self.target.num_qubits}-qubit{family} device as its snapshot "
            "recorded it, simulated by Aer with its noise"
        )


_devices: dict[str, Device] = {}
_lock = threading.Lock()


def device(snapshot: Snapshot) -> Device:
    """The ``Device`` of ``snapshot``, made on first use and then kept for the process."""
    with _lock:
        found = _devices.get(snapshot.name)
        if found is None:
            found = _devices[snapshot.name] = Device(snapshot)
        return found


def prepare(snapshots: Iterable[Snapshot]) -> None:
    """Make the devices ready now, so that a job, or a process forked for one, finds them
    ready: documents read, targets built, a noise model made (which loads Aer's noise code,
    and scipy.linalg, which thermal relaxation errors need), and a preset pass manager
    built for the device (the transpiler's passes loaded).
    Nothing here starts a thread pool of its own; numpy's OpenBLAS may, as on any numpy
    call (set ``OPENBLAS_NUM_THREADS`` before forking)."""
    import scipy.linalg  # noqa: F401  (thermal relaxation errors need it: ~0.5 s to import)
    from qiskit.transpiler import generate_preset_pass_manager

    for snapshot in snapshots:
        ready = device(snapshot)
        coupling = ready.target.build_coupling_map()
        edges = list(coupling.get_edges()) if coupling is not None else []
        ready.noise.model(edges[0] if edges else [0])  # a pair: all the code a model needs
        generate_preset_pass_manager(optimization_level=1, target=ready.target)


def simulator(snapshot: Snapshot) -> Any:
    """A ``DeviceSimulator`` of ``snapshot``."""
    from runtime_kit.backends.snapshots.simulator import DeviceSimulator

    return DeviceSimulator(device(snapshot))
