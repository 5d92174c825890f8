"""A device's noise, for the qubits a circuit uses.

Aer's noise model of a whole device costs seconds to build (1.8 s for 127 qubits here, ~9 s
on a loaded machine, more for 156), most of it for qubits a small circuit never touches.  A
``DeviceNoise`` builds the model of just the qubits in use, with the same errors the whole
device's model has on them: qiskit-aer's gate errors (depolarizing with thermal relaxation,
from the target's errors, durations, T1 and T2), readout errors from the calibration's
``prob_meas1_prep0``/``prob_meas0_prep1`` (a symmetric ``readout_error`` where the device gives
no others), and thermal relaxation on ``delay``.  Models are kept by qubit set, so a loop
that runs the same circuit pays once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from typing import Any

from runtime_kit.program.properties import BackendProperties

#: Noise models kept per device (by the set of qubits they cover).
CACHED_MODELS = 32


class DeviceNoise:
    """The noise of one device, built per set of qubits on demand.

    Args:
        target: the device's ``Target`` (``build_target``).
        calibration: its calibration (for the readout errors).
    """

    def __init__(self, target: Any, calibration: BackendProperties) -> None:
        self.target = target
        self.calibration = calibration
        self._models: OrderedDict[frozenset[int], Any] = OrderedDict()
        self._lock = threading.Lock()

    def model(self, qubits: Iterable[int]) -> Any:
        """The ``NoiseModel`` of the device restricted to ``qubits`` (physical indices): every
        error the device has on instructions that act only on them."""
        key = frozenset(qubits)
        with self._lock:
            if key in self._models:
                self._models.move_to_end(key)
                return self._models[key]
        model = self._build(key)
        with self._lock:
            self._models[key] = model
            while len(self._models) > CACHED_MODELS:
                self._models.popitem(last=False)
        return model

    def _build(self, qubits: frozenset[int]) -> Any:
        from qiskit_aer.noise import NoiseModel, ReadoutError

        model = NoiseModel.from_backend(
            _TargetBackend(restricted_target(self.target, qubits)), readout_error=False
        )
        for qubit in sorted(qubits):
            probabilities = self._readout(qubit)
            if probabilities is not None:
                model.add_readout_error(ReadoutError(probabilities), [qubit])
        return model

    def _readout(self, qubit: int) -> list[list[float]] | None:
        """``[[P(0|0), P(1|0)], [P(0|1), P(1|1)]]`` of ``qubit``, or None if ideal."""
        one_given_zero = self.calibration.qubit_value(qubit, "prob_meas1_prep0")
        zero_given_one = self.calibration.qubit_value(qubit, "prob_meas0_prep1")
        if one_given_zero is None or zero_given_one is None:
            error = self.calibration.qubit_value(qubit, "readout_error")
            if error is None:
                return None
            one_given_zero = zero_given_one = error
        if one_given_zero == 0 and zero_given_one == 0:
            return None
        return [[1 - one_given_zero, one_given_zero], [zero_given_one, 1 - zero_given_one]]


def restricted_target(target: Any, qubits: frozenset[int]) -> Any:
    """A copy of ``target`` with only the instructions on ``qubits`` (same qubit indices,
    same qubit properties): what a noise model of those qubits is made from."""
    from qiskit.transpiler import Target

    restricted = Target(
        num_qubits=target.num_qubits,
        dt=target.dt,
        qubit_properties=target.qubit_properties,
    )
    for name in target.operation_names:
        operation, properties = target.operation_from_name(name), target[name]
        if isinstance(operation, type) or properties is None or None in properties:
            restricted.add_instruction(operation, name=name)  # control flow: no noise
            continue
        kept = {
            operands: value for operands, value in properties.items() if qubits.issuperset(operands)
        }
        restricted.add_instruction(operation, kept, name=name)
    return restricted


def used_qubits(circuits: Sequence[Any]) -> set[int]:
    """The qubits (indices) that any of ``circuits`` acts on, control flow blocks included."""
    used: set[int] = set()
    for circuit in circuits:
        for instruction in circuit.data:
            if instruction.operation.name == "barrier":
                continue
            used.update(circuit.find_bit(qubit).index for qubit in instruction.qubits)
    return used


class _TargetBackend:
    """What ``NoiseModel.from_backend`` reads of a backend (a BackendV2 with ``target``)."""

    version = 2

    def __init__(self, target: Any) -> None:
        self.target = target
        self.operation_names = list(target.operation_names)
        self.dt = target.dt
