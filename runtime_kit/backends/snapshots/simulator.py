"""``DeviceSimulator``: Aer, as one device snapshot.

It has the device's name, target (basis, coupling map, calibrated errors and durations) and
limits; ``run`` refuses a circuit the device could not run (``check_runnable``) and simulates
the rest with the device's noise on the qubits the circuits use.  Being an ``AerSimulator``,
Aer's own ``SamplerV2``/``EstimatorV2.from_backend`` run on it as they are, through ``run``.
"""

from __future__ import annotations

from typing import Any

from qiskit_aer import AerSimulator
from qiskit_aer.backends.backendconfiguration import AerBackendConfiguration

from runtime_kit.backends.snapshots.device import Device
from runtime_kit.backends.snapshots.noise import used_qubits
from runtime_kit.backends.snapshots.runnable import check_runnable


class DeviceSimulator(AerSimulator):  # type: ignore[misc]  # qiskit-aer publishes no types
    """Aer as the device ``device`` (see the module's docstring).

    Args:
        device: the prepared snapshot (``runtime_kit.backends.snapshots.device``).
        backend_options: Aer options (default: one thread, as the harness's simulators).
    """

    def __init__(self, device: Device, **backend_options: Any) -> None:
        target = device.target
        coupling = target.build_coupling_map()
        configuration = AerBackendConfiguration(
            backend_name=device.name,
            backend_version=str(device.configuration.get("backend_version") or "0"),
            n_qubits=target.num_qubits,
            basis_gates=sorted(target.operation_names),
            gates=[],
            max_shots=device.max_shots,
            coupling_map=[list(edge) for edge in coupling.get_edges()] if coupling else None,
            max_experiments=device.max_experiments,
            description=device.description,
        )
        options = {"max_parallel_threads": 1, **backend_options}
        super().__init__(configuration=configuration, target=target, **options)
        self.device = device

    def run(self, circuits: Any, parameter_binds: Any = None, **options: Any) -> Any:
        """Run ``circuits`` as the device would, with its noise (a ``noise_model`` given here
        replaces it).

        Raises:
            CircuitNotRunnableError: a circuit the device could not run.
        """
        listed = circuits if isinstance(circuits, list | tuple) else [circuits]
        check_runnable(listed, self.device.target, self.device.name)
        if "noise_model" not in options:
            options["noise_model"] = self.device.noise.model(used_qubits(listed))
        return super().run(circuits, parameter_binds=parameter_binds, **options)
