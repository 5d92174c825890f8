"""Legacy opflow operators (qiskit-terra <= 0.46) rebuilt as today's ``SparsePauliOp``.

Legacy clients sent operators as ``settings`` objects of ``qiskit.opflow`` classes, which
qiskit 1.0 removed: ``PauliOp`` (``Z ^ Z``), ``PauliSumOp`` (sums of Paulis, what
qiskit-nature and qiskit-optimization hand to the runtime), ``TaperedPauliSumOp`` (a
``PauliSumOp`` after Z2-symmetry tapering) and ``SummedOp``.  Each is a weighted sum of
Paulis; the functions here take a class's settings, already decoded (the nested ``Pauli`` or
``SparsePauliOp`` is rebuilt first, through the allow-list), and return the
``SparsePauliOp`` with the coefficient folded in.  The allow-list in ``settings.py`` maps each
legacy class name to one of them.
"""

from __future__ import annotations

import numbers
from typing import Any

#: ``"<module>.<Class>"`` as legacy documents name them -> ``"<this module>:<function>"``.
OPFLOW_CLASSES = {
    "qiskit.opflow.primitive_ops.pauli_op.PauliOp": f"{__name__}:pauli_op",
    "qiskit.opflow.primitive_ops.pauli_sum_op.PauliSumOp": f"{__name__}:pauli_sum_op",
    "qiskit.opflow.primitive_ops.tapered_pauli_sum_op.TaperedPauliSumOp": (
        f"{__name__}:tapered_pauli_sum_op"
    ),
    # The symmetries a TaperedPauliSumOp carries: today's class takes the same settings.
    "qiskit.opflow.primitive_ops.tapered_pauli_sum_op.Z2Symmetries": (
        "qiskit.quantum_info.analysis.z2_symmetries:Z2Symmetries"
    ),
    "qiskit.opflow.list_ops.summed_op.SummedOp": f"{__name__}:summed_op",
}


def pauli_op(primitive: Any, coeff: Any = 1.0) -> Any:
    """A legacy ``PauliOp``: one ``Pauli`` times ``coeff``."""
    from qiskit.quantum_info import Pauli, SparsePauliOp

    if not isinstance(primitive, Pauli):
        raise TypeError(f"primitive must be a Pauli, not {type(primitive).__name__}")
    return SparsePauliOp(primitive) * _number(coeff)


def pauli_sum_op(primitive: Any, coeff: Any = 1.0, grouping_type: Any = "None") -> Any:
    """A legacy ``PauliSumOp``: a ``SparsePauliOp`` times ``coeff`` (the grouping hint, how
    opflow would have grouped terms for measurement, has no counterpart and is dropped)."""
    return _sparse(primitive) * _number(coeff)


def tapered_pauli_sum_op(primitive: Any, z2_symmetries: Any, coeff: Any = 1.0) -> Any:
    """A legacy ``TaperedPauliSumOp``: the tapered operator itself (its ``z2_symmetries``
    record how it was tapered, which solvers of the tapered operator do not need)."""
    return _sparse(primitive) * _number(coeff)


def summed_op(oplist: Any, coeff: Any = 1.0, abelian: Any = False) -> Any:
    """A legacy ``SummedOp`` of Pauli operators: their sum times ``coeff``."""
    from qiskit.quantum_info import SparsePauliOp

    if not isinstance(oplist, list) or not oplist:
        raise TypeError("oplist must be a non-empty list of operators")
    terms = [_sparse(op) for op in oplist]
    if len({term.num_qubits for term in terms}) != 1:
        raise ValueError("the summed operators act on different numbers of qubits")
    return SparsePauliOp.sum(terms) * _number(coeff)


def _sparse(operator: Any) -> Any:
    from qiskit.quantum_info import SparsePauliOp

    if not isinstance(operator, SparsePauliOp):
        raise TypeError(f"expected Pauli operators, found {type(operator).__name__}")
    return operator


def _number(coeff: Any) -> complex | float:
    if isinstance(coeff, bool) or not isinstance(coeff, numbers.Complex):
        raise TypeError(f"coeff must be a number, not {type(coeff).__name__}")
    value = complex(coeff)
    return value.real if value.imag == 0 else value
