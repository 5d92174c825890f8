"""A device's transpiler ``Target``, made from its snapshot documents (configuration and
calibration properties, as IBM served them) with qiskit alone.

What the device runs: its basis gates on the qubits (and pairs) its calibration lists, the
non-unitary instructions it supports (``measure``, ``reset``, ``delay``) on each qubit, and the
control flow it supports; qubits or gates the calibration marks as not operational are left
out.  Each instruction carries its calibrated error and duration; each qubit its T1, T2 and
frequency.  Times are in seconds and frequencies in hertz, as qiskit wants them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from runtime_kit.program.properties import BackendProperties

#: Instructions besides gates that a device may support (its ``supported_instructions``).
NON_UNITARY = ("measure", "reset", "delay")
#: A device's ``supported_instructions`` when its configuration does not say.
DEFAULT_SUPPORTED = ("measure", "reset", "delay")
#: Gates whose angle the device bounds: ``rzz`` runs angles in [0, pi/2] only.
ANGLE_BOUNDS = {"rzz": [(0.0, math.pi / 2)]}


def build_target(configuration: Mapping[str, Any], properties: Mapping[str, Any]) -> Any:
    """The ``qiskit.transpiler.Target`` of the device the documents describe."""
    from qiskit.circuit.controlflow import CONTROL_FLOW_OP_NAMES
    from qiskit.transpiler import Target

    calibration = BackendProperties(properties)
    num_qubits = int(configuration["n_qubits"])
    faulty = set(calibration.faulty_qubits())
    target = Target(
        num_qubits=num_qubits,
        qubit_properties=_qubit_properties(calibration, num_qubits),
        **_timing(configuration),
    )
    supported = set(configuration.get("supported_instructions") or DEFAULT_SUPPORTED)
    names = set(configuration.get("basis_gates") or ())
    names |= supported & set(NON_UNITARY)
    for name in sorted(names):
        operands = _operands(name, configuration, calibration, num_qubits, faulty)
        _add(target, name, operands)
    for name in sorted(supported & set(CONTROL_FLOW_OP_NAMES)):
        target.add_instruction(_control_flow(name), name=name)
    return target


def _operands(
    name: str,
    configuration: Mapping[str, Any],
    calibration: BackendProperties,
    num_qubits: int,
    faulty: set[int],
) -> dict[tuple[int, ...], Any] | None:
    """Where ``name`` runs and how well: qubits -> ``InstructionProperties`` (None: not
    calibrated there), or None for an instruction that runs anywhere, ideally."""
    from qiskit.transpiler import InstructionProperties

    if name == "measure" and calibration.num_qubits:
        return {
            (q,): InstructionProperties(
                error=calibration.qubit_value(q, "readout_error"),
                duration=calibration.qubit_value(q, "readout_length"),
            )
            for q in range(num_qubits)
            if q not in faulty
        }
    operands: dict[tuple[int, ...], Any] | None = None
    configured = _configured_operands(configuration, name)
    if configured is not None:
        operands = {qubits: None for qubits in configured if not faulty.intersection(qubits)}
    for qubits, values in calibration.gate_values(name).items():
        if faulty.intersection(qubits) or values.get("operational", 1) == 0:
            if operands is not None:
                operands.pop(qubits, None)
            continue
        operands = {} if operands is None else operands
        operands[qubits] = InstructionProperties(
            error=values.get("gate_error"), duration=values.get("gate_length")
        )
    if operands is None and name in NON_UNITARY:
        operands = {(q,): None for q in range(num_qubits) if q not in faulty}
    return operands


def _qubit_properties(calibration: BackendProperties, num_qubits: int) -> list[Any] | None:
    from qiskit.providers import QubitProperties

    if not calibration.num_qubits:
        return None
    return [
        QubitProperties(
            t1=calibration.qubit_value(q, "T1"),
            t2=calibration.qubit_value(q, "T2"),
            frequency=calibration.qubit_value(q, "frequency"),
        )
        for q in range(num_qubits)
    ]


def _configured_operands(
    configuration: Mapping[str, Any], name: str
) -> Iterable[tuple[int, ...]] | None:
    for gate in configuration.get("gates") or ():
        if gate.get("name") == name and gate.get("coupling_map"):
            return [tuple(qubits) for qubits in gate["coupling_map"]]
    return None


def _add(target: Any, name: str, operands: dict[tuple[int, ...], Any] | None) -> None:
    from qiskit.circuit.library import get_standard_gate_name_mapping

    instruction = get_standard_gate_name_mapping().get(name)
    if instruction is None:
        return  # an instruction qiskit has no definition for (none in the snapshots)
    bounds = ANGLE_BOUNDS.get(name)
    if bounds is None:
        target.add_instruction(instruction, operands, name=name)
    else:
        target.add_instruction(instruction, operands, name=name, angle_bounds=bounds)


def _control_flow(name: str) -> Any:
    from qiskit.circuit import ForLoopOp, IfElseOp, SwitchCaseOp, WhileLoopOp

    return {"if_else": IfElseOp, "while_loop": WhileLoopOp, "for_loop": ForLoopOp,
            "switch_case": SwitchCaseOp}[name]  # fmt: skip


def _timing(configuration: Mapping[str, Any]) -> dict[str, Any]:
    """The target's ``dt`` (seconds) and the device's timing constraints."""
    timing: dict[str, Any] = {}
    if configuration.get("dt") is not None:
        timing["dt"] = float(configuration["dt"]) * 1e-9  # the configuration gives nanoseconds
    constraints = configuration.get("timing_constraints") or {}
    for key in ("granularity", "min_length", "pulse_alignment", "acquire_alignment"):
        if key in constraints:
            timing[key] = int(constraints[key])
    return timing
