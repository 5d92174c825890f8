"""Readout error mitigation of measured counts, with mthree.

IBM's VQE and QAOA programs corrected their counts with a measurement fitter calibrated on
the device (``measurement_error_mitigation``); here mthree calibrates the physical qubits the
compiled circuits measure, once, and corrects each circuit's counts into quasi-probabilities
(the built-in circuit-runner does the same).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


class ReadoutMitigation:
    """Calibrated on the qubits that ``circuits`` (compiled for ``backend``) measure.

    Args:
        backend: the backend the circuits run on (calibration circuits run there too).
        circuits: the compiled circuits whose counts ``correct`` will be given, by index.
        shots: shots per calibration circuit.
    """

    def __init__(self, backend: Any, circuits: Sequence[Any], *, shots: int) -> None:
        import mthree

        self._qubits = [measured_qubits(circuit) for circuit in circuits]
        measured = sorted({qubit for qubits in self._qubits for qubit in qubits})
        self._mitigator = mthree.M3Mitigation(backend)
        self._mitigator.cals_from_system(measured, shots=shots, async_cal=False)

    def correct(self, counts: Mapping[str, int], index: int) -> dict[str, float]:
        """Quasi-probabilities of the outcomes of circuit ``index`` (they may be negative)."""
        quasi = self._mitigator.apply_correction(dict(counts), self._qubits[index])
        return {outcome: float(value) for outcome, value in quasi.items()}  # mthree: float32


def measured_qubits(circuit: Any) -> list[int]:
    """The (physical) qubits ``circuit`` measures, in the order of the classical bits they
    are measured into: what mthree needs to correct the circuit's counts.  The circuits here
    measure each qubit once, at the end."""
    by_clbit = {}
    for instruction in circuit.data:
        if instruction.operation.name == "measure":
            clbit = circuit.find_bit(instruction.clbits[0]).index
            by_clbit[clbit] = circuit.find_bit(instruction.qubits[0]).index
    return [by_clbit[clbit] for clbit in sorted(by_clbit)]
