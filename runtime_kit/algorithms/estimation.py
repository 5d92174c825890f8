"""Expectation values of a Pauli operator on a parametrized circuit, from measured counts.

This is what opflow's ``PauliExpectation`` and ``CircuitSampler`` did for IBM's VQE and QAOA
programs: the operator's terms are grouped into qubit-wise commuting sets, each set is
measured in one basis with ``shots`` shots, and the estimate is the sum of the sets' means,
with the standard deviation ``sqrt(sum of their variances / shots)``.  With ``alpha < 1``
(QAOA's CVaR), the operator must be diagonal and the estimate is the mean of the best
``alpha`` fraction of the samples (the conditional value at risk), as opflow's
``CVaRExpectation`` computed it.

The measurement circuits are compiled once, with their parameters unbound; each estimate
binds them and runs them in one ``backend.run`` call.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from qiskit import QuantumCircuit
from qiskit.quantum_info import SparsePauliOp
from qiskit.result import QuasiDistribution

from runtime_kit.algorithms.inputs import ProgramInputError
from runtime_kit.algorithms.mitigation import ReadoutMitigation

#: Compiles circuits for the backend (transpile, or a pass manager's ``run``).
Compiler = Callable[[list[QuantumCircuit]], list[QuantumCircuit]]
#: Outcomes are held as int64 bit masks.
MAX_QUBITS = 62
#: Parameter values, in the order of the circuit's parameters.
Point = Sequence[float] | np.ndarray


@dataclass(frozen=True)
class Estimate:
    """An expectation value and its standard deviation (the shot noise of its estimate)."""

    mean: float
    std: float


@dataclass(frozen=True)
class _Terms:
    """One measured group: each term's qubits as a bit mask, and its real coefficient."""

    masks: np.ndarray
    coeffs: np.ndarray

    def values(self, outcomes: np.ndarray) -> np.ndarray:
        """The group's observable on each outcome: sum of coeff * (-1)^(parity on mask)."""
        parities = np.bitwise_count(outcomes[:, None] & self.masks[None, :]) & 1
        signs = 1 - 2 * parities.astype(np.int64)
        values: np.ndarray = signs @ self.coeffs
        return values


class PauliEstimator:
    """Estimates ``operator`` on ``circuit`` at given parameter values, on ``backend``.

    Args:
        circuit: the parametrized circuit (no classical bits: measurements are added here).
        operator: the observable, on as many qubits as ``circuit``.
        backend: runs the compiled circuits.
        shots: shots per measured circuit.
        compile: compiles the measurement circuits for ``backend``.
        mitigate: correct readout errors (mthree), calibrated once on the measured qubits.
        alpha: the CVaR fraction in (0, 1]; below 1 the operator must be diagonal (I, Z).

    Raises:
        ProgramInputError: the circuit and the operator do not fit together, or ``alpha``
            cannot apply.
    """

    def __init__(
        self,
        circuit: QuantumCircuit,
        operator: SparsePauliOp,
        backend: Any,
        *,
        shots: int,
        compile: Compiler,
        mitigate: bool = False,
        alpha: float = 1.0,
    ) -> None:
        _check(circuit, operator, alpha)
        groups = [operator] if alpha < 1 else list(operator.group_commuting(qubit_wise=True))
        self._terms = [_terms(group) for group in groups]
        circuits = [measured(circuit, _basis(group)) for group in groups]
        circuits.append(measured(circuit, "Z" * circuit.num_qubits))  # to sample the state
        self._compiled = compile(circuits)
        self._parameters = list(circuit.parameters)
        self._backend = backend
        self._shots = shots
        self._alpha = alpha
        self._mitigation = (
            ReadoutMitigation(backend, self._compiled, shots=shots) if mitigate else None
        )

    @property
    def num_parameters(self) -> int:
        return len(self._parameters)

    @property
    def compiled(self) -> list[QuantumCircuit]:
        """The compiled measurement circuits (one per group, then the sampling circuit)."""
        return list(self._compiled)

    def estimate(self, point: Point) -> Estimate:
        """The operator's estimate at ``point`` (one value per parameter, in the circuit's
        parameter order)."""
        measurements = self._compiled[: len(self._terms)]
        counts = self._run(measurements, point)
        if self._alpha < 1:
            return self._cvar(self._distribution(counts[0], 0, probabilities=True))
        means, variances = [], []
        for index, (terms, group_counts) in enumerate(zip(self._terms, counts, strict=True)):
            outcomes, weights = _arrays(self._distribution(group_counts, index))
            values = terms.values(outcomes)
            mean = float(weights @ values)
            means.append(mean)
            variances.append(float(weights @ values**2) - mean**2)
        return Estimate(sum(means), float(np.sqrt(max(sum(variances), 0.0) / self._shots)))

    def sample(self, point: Point) -> dict[str, float]:
        """The probabilities of the computational basis outcomes of the circuit at ``point``
        (readout-corrected when mitigating)."""
        index = len(self._terms)
        (counts,) = self._run([self._compiled[index]], point)
        return self._distribution(counts, index, probabilities=True)

    def _run(self, circuits: list[QuantumCircuit], point: Point) -> list[Any]:
        binding = dict(zip(self._parameters, np.asarray(point, dtype=float), strict=True))
        bound = [circuit.assign_parameters(binding, strict=False) for circuit in circuits]
        result = self._backend.run(bound, shots=self._shots).result()
        return [result.get_counts(index) for index in range(len(bound))]

    def _distribution(
        self, counts: Mapping[str, int], index: int, *, probabilities: bool = False
    ) -> dict[str, float]:
        if self._mitigation is None:
            total = sum(counts.values())
            return {outcome: count / total for outcome, count in counts.items()}
        quasi = self._mitigation.correct(counts, index)
        if not probabilities:
            return quasi
        nearest = QuasiDistribution(quasi).nearest_probability_distribution()
        width = len(next(iter(counts)))
        return {key: float(p) for key, p in nearest.binary_probabilities(width).items() if p > 0}

    def _cvar(self, distribution: dict[str, float]) -> Estimate:
        outcomes, weights = _arrays(distribution)
        values = self._terms[0].values(outcomes)
        order = np.argsort(values, kind="stable")
        values, weights = values[order], weights[order]
        before = np.concatenate(([0.0], np.cumsum(weights)[:-1]))
        kept = np.clip(self._alpha - before, 0.0, weights)  # the best alpha of the mass
        mean = float(kept @ values) / self._alpha
        variance = float(kept @ (values - mean) ** 2) / self._alpha
        return Estimate(mean, float(np.sqrt(variance / (self._alpha * self._shots))))


def measured(circuit: QuantumCircuit, basis: str) -> QuantumCircuit:
    """``circuit``, then every qubit rotated into ``basis`` (one of X, Y, Z per qubit, qubit
    0 first) and measured into classical bit of the same index."""
    width = circuit.num_qubits
    result = QuantumCircuit(width, width, name=circuit.name)
    result.compose(circuit, qubits=range(width), inplace=True)
    for qubit, axis in enumerate(basis):
        if axis == "X":
            result.h(qubit)
        elif axis == "Y":
            result.sdg(qubit)
            result.h(qubit)
    result.measure(range(width), range(width))
    return result


def _check(circuit: QuantumCircuit, operator: SparsePauliOp, alpha: float) -> None:
    if circuit.num_clbits:
        raise ProgramInputError(
            "the ansatz must have no classical bits: measurements are added for each Pauli group"
        )
    if circuit.num_qubits != operator.num_qubits:
        raise ProgramInputError(
            f"the ansatz has {circuit.num_qubits} qubits, the operator acts on "
            f"{operator.num_qubits}"
        )
    if circuit.num_qubits > MAX_QUBITS:
        raise ProgramInputError(f"at most {MAX_QUBITS} qubits, not {circuit.num_qubits}")
    if not 0 < alpha <= 1:
        raise ProgramInputError(f"input 'alpha' must be in (0, 1], not {alpha}")
    if alpha < 1 and bool(operator.paulis.x.any()):
        raise ProgramInputError(
            "input 'alpha' below 1 (CVaR) needs a diagonal operator: Pauli I and Z terms only"
        )


def _terms(group: SparsePauliOp) -> _Terms:
    support = group.paulis.x | group.paulis.z  # (terms, qubits); qubit 0 first
    weights = np.left_shift(np.int64(1), np.arange(group.num_qubits, dtype=np.int64))
    return _Terms(support.astype(np.int64) @ weights, np.real(group.coeffs).astype(float))


def _basis(group: SparsePauliOp) -> str:
    x, z = group.paulis.x.any(axis=0), group.paulis.z.any(axis=0)
    return "".join("Y" if xq and zq else "X" if xq else "Z" for xq, zq in zip(x, z, strict=True))


def _arrays(distribution: Mapping[str, float]) -> tuple[np.ndarray, np.ndarray]:
    outcomes = np.array([int(outcome, 2) for outcome in distribution], dtype=np.int64)
    return outcomes, np.array(list(distribution.values()), dtype=float)
