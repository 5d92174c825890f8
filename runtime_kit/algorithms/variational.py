"""The minimisation loop of IBM's VQE and QAOA programs, and the fields of their results.

Every energy evaluation publishes ``[evaluation count, parameters, energy, standard
deviation]``, what the legacy VQE passed to its callback and IBM's programs published as
interim results (qiskit-nature's and qiskit-optimization's clients unpack exactly these four).
The result fields are those IBM documented: ``optimal_point``, ``optimal_value``,
``eigenvalue`` (complex, as the legacy ``VQEResult`` held it), ``eigenstate`` (the square
roots of the sampled probabilities of the optimal circuit, by bitstring),
``cost_function_evals``, ``optimizer_evals``, ``optimizer_time``, ``aux_operator_eigenvalues``
(``[mean, standard deviation]`` per auxiliary operator, in a list or a dict as they came) and
``optimal_parameters`` (always ``None``, as IBM's programs returned it).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from qiskit.quantum_info import SparsePauliOp
from qiskit_algorithms.optimizers import Optimizer

from runtime_kit.algorithms.estimation import Estimate, PauliEstimator
from runtime_kit.algorithms.inputs import Bounds

#: Sends one interim result to the job's caller (``user_messenger.publish``).
Publish = Callable[[Any], None]
#: Called after each evaluation with (count, parameters, estimate).
Observer = Callable[[int, np.ndarray, Estimate], None]


@dataclass(frozen=True)
class Minimization:
    """Where the optimizer ended, and what it took."""

    point: np.ndarray
    value: float
    optimizer_evals: int | None
    evaluations: int
    seconds: float


def minimize(
    estimator: PauliEstimator,
    optimizer: Optimizer,
    point: np.ndarray,
    *,
    publish: Publish,
    bounds: Bounds | None = None,
    observe: Observer | None = None,
) -> Minimization:
    """Minimise the estimator's energy from ``point``, publishing every evaluation."""
    evaluations = 0

    def energy(x: np.ndarray) -> Any:
        nonlocal evaluations
        if np.ndim(x) == 2:  # optimizers that evaluate points in batches
            return [energy(row) for row in x]
        parameters = np.asarray(x, dtype=float)
        estimate = estimator.estimate(parameters)
        evaluations += 1
        publish([evaluations, parameters, estimate.mean, estimate.std])
        if observe is not None:
            observe(evaluations, parameters, estimate)
        return estimate.mean

    started = time.perf_counter()
    result = optimizer.minimize(fun=energy, x0=point, bounds=bounds)
    return Minimization(
        point=np.asarray(result.x, dtype=float),
        value=float(result.fun),
        optimizer_evals=None if result.nit is None else int(result.nit),
        evaluations=evaluations,
        seconds=time.perf_counter() - started,
    )


def eigenstate(estimator: PauliEstimator, point: np.ndarray) -> dict[str, float]:
    """The optimal circuit's sampled state: the square root of each outcome's probability."""
    return {outcome: float(np.sqrt(p)) for outcome, p in estimator.sample(point).items()}


def auxiliary_values(
    operators: list[SparsePauliOp] | dict[str, SparsePauliOp] | None,
    estimator_for: Callable[[SparsePauliOp], PauliEstimator],
    point: np.ndarray,
) -> list[list[Any]] | dict[str, list[Any]] | None:
    """``[mean, standard deviation]`` of each auxiliary operator at ``point`` (the mean
    complex, as the legacy VQE returned it), in the shape the operators came in."""
    if operators is None:
        return None

    def value(operator: SparsePauliOp) -> list[Any]:
        estimate = estimator_for(operator).estimate(point)
        return [complex(estimate.mean), estimate.std]

    if isinstance(operators, dict):
        return {name: value(operator) for name, operator in operators.items()}
    return [value(operator) for operator in operators]


def result_fields(
    minimization: Minimization,
    state: dict[str, float],
    aux: list[list[Any]] | dict[str, list[Any]] | None,
) -> dict[str, Any]:
    """The result fields IBM's VQE and QAOA programs both returned."""
    return {
        "optimizer_time": minimization.seconds,
        "optimal_value": minimization.value,
        "optimal_point": minimization.point,
        "optimal_parameters": None,  # IBM's programs never filled it (not serializable then)
        "cost_function_evals": minimization.evaluations,
        "eigenstate": state,
        "eigenvalue": complex(minimization.value),
        "aux_operator_eigenvalues": aux,
    }
