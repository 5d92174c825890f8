"""What a device refuses: a circuit with more qubits than it has, an instruction outside its
basis, or a gate on qubits it does not couple (or has taken out of service).

``check_runnable`` raises ``CircuitNotRunnableError`` naming the first offending instruction
of the first circuit that has one, and how to make it runnable, as a device refused a job.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from runtime_kit.errors import CircuitNotRunnableError

#: Instructions that act on no device hardware: always accepted.
DIRECTIVES = frozenset({"barrier", "store"})
MAKE_RUNNABLE = "transpile(circuit, backend) makes it runnable"


def check_runnable(circuits: Sequence[Any], target: Any, device: str) -> None:
    """Raise if any of ``circuits`` is one the device ``device`` (its ``target``) cannot run.

    Raises:
        CircuitNotRunnableError: the first circuit that cannot run, and why.
    """
    for index, circuit in enumerate(circuits):
        if circuit.num_qubits > target.num_qubits:
            raise CircuitNotRunnableError(
                f"circuit {_named(circuit, index)} has {circuit.num_qubits} qubits; {device} "
                f"has {target.num_qubits}",
                circuit=index,
            )
        _check_instructions(circuit, list(range(circuit.num_qubits)), target, device, index)


def _check_instructions(
    circuit: Any, physical: list[int], target: Any, device: str, index: int
) -> None:
    """``physical[i]``: the device qubit that the circuit's qubit ``i`` is."""
    for position, instruction in enumerate(circuit.data):
        operation = instruction.operation
        if operation.name in DIRECTIVES:
            continue
        qubits = tuple(physical[circuit.find_bit(qubit).index] for qubit in instruction.qubits)
        if not qubits:
            continue  # a classical instruction: no qubit of the device involved
        problem = _problem(operation.name, qubits, target, device)
        if problem is not None:
            raise CircuitNotRunnableError(
                f"circuit {_named(circuit, index)}, instruction {position} "
                f"({operation.name} on qubits {list(qubits)}): {problem}; {MAKE_RUNNABLE}",
                circuit=index,
                instruction=position,
            )
        for block in getattr(operation, "blocks", ()):  # control flow: its body, mapped
            inner = [qubits[block.find_bit(qubit).index] for qubit in block.qubits]
            _check_instructions(block, inner, target, device, index)


def _problem(name: str, qubits: tuple[int, ...], target: Any, device: str) -> str | None:
    if name not in target.operation_names:
        basis = ", ".join(sorted(target.operation_names))
        return f"{name} is not an instruction of {device} (it runs: {basis})"
    if target.instruction_supported(name, qubits):
        return None
    if len(qubits) > 1:
        return f"{device} has no {name} between qubits {list(qubits)} (see its coupling map)"
    return f"{device} has no working {name} on qubit {qubits[0]}"


def _named(circuit: Any, index: int) -> str:
    return f"{index} ({circuit.name!r})"
