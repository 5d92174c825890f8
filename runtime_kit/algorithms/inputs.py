"""The inputs of IBM's algorithm programs, coerced from what legacy clients send.

Operators arrive as ``SparsePauliOp`` (``RuntimeDecoder`` turns opflow's ``PauliOp``,
``PauliSumOp``... into one), a ``Pauli`` or a Pauli label; auxiliary operators as a list or,
from qiskit-nature's ``VQEClient``, a dict by name; initial points as an array, a list,
``"random"`` or nothing.  Whatever cannot be used is a ``ProgramInputError`` naming the input.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from qiskit.exceptions import QiskitError
from qiskit.quantum_info import Pauli, SparsePauliOp

Bounds = Sequence[tuple[float | None, float | None]]
#: Where an unbounded parameter's random initial value is drawn from (legacy VQE's range).
UNBOUNDED = (-2 * np.pi, 2 * np.pi)


class ProgramInputError(ValueError):
    """An input the program cannot use (a program error: the job fails with this message)."""


def pauli_operator(value: Any, *, name: str = "operator") -> SparsePauliOp:
    """``value`` as a ``SparsePauliOp``: one already, a ``Pauli``, or a Pauli label."""
    if isinstance(value, SparsePauliOp):
        return value
    if isinstance(value, Pauli | str):
        try:
            return SparsePauliOp(value)
        except QiskitError as exc:
            raise ProgramInputError(f"input {name!r}: {exc}") from exc
    raise ProgramInputError(
        f"input {name!r} must be a Pauli operator (SparsePauliOp, or opflow's PauliSumOp or "
        f"PauliOp as legacy clients send them), not {type(value).__name__}"
    )


def auxiliary_operators(
    value: Any, num_qubits: int
) -> list[SparsePauliOp] | dict[str, SparsePauliOp] | None:
    """``aux_operators`` as given (a list, or a dict by name), each a ``SparsePauliOp`` on
    ``num_qubits`` qubits; ``None`` when there are none (an empty list or dict too)."""
    if value is None or (isinstance(value, list | dict) and not value):
        return None
    if isinstance(value, dict):
        return {
            str(key): _on(num_qubits, op, name=f"aux_operators[{key!r}]")
            for key, op in value.items()
        }
    if isinstance(value, list | tuple):
        return [
            _on(num_qubits, op, name=f"aux_operators[{index}]") for index, op in enumerate(value)
        ]
    raise ProgramInputError(
        f"input 'aux_operators' must be a list or a dict of operators, not {type(value).__name__}"
    )


def initial_point(
    value: Any,
    num_parameters: int,
    *,
    bounds: Bounds | None = None,
    name: str = "initial_point",
) -> np.ndarray:
    """The starting parameters: ``value`` as an array of ``num_parameters`` floats, or, for
    ``None`` or ``"random"``, values drawn uniformly within ``bounds`` (``UNBOUNDED`` where a
    bound is missing) from numpy's global generator, which the harness seeds."""
    if value is None or (isinstance(value, str) and value == "random"):
        lower, upper = _limits(bounds, num_parameters)
        return np.random.uniform(lower, upper)
    try:
        point = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ProgramInputError(
            f"input {name!r} must be numbers or 'random', not {value!r:.60}"
        ) from exc
    if point.ndim != 1:
        raise ProgramInputError(f"input {name!r} must be a flat list of numbers")
    if point.size != num_parameters:
        raise ProgramInputError(
            f"input {name!r} has {point.size} values; the ansatz has {num_parameters} parameters"
        )
    return point


def _on(num_qubits: int, value: Any, *, name: str) -> SparsePauliOp:
    operator = pauli_operator(value, name=name)
    if operator.num_qubits != num_qubits:
        raise ProgramInputError(
            f"input {name!r} acts on {operator.num_qubits} qubits, the operator on {num_qubits}"
        )
    return operator


def _limits(bounds: Bounds | None, size: int) -> tuple[np.ndarray, np.ndarray]:
    pairs = list(bounds) if bounds is not None else [(None, None)] * size
    lower = np.array([UNBOUNDED[0] if low is None else low for low, _ in pairs], dtype=float)
    upper = np.array([UNBOUNDED[1] if high is None else high for _, high in pairs], dtype=float)
    return lower, upper
