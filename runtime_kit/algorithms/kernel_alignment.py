"""IBM's ``quantum-kernel-alignment`` program: learn a quantum kernel's parameters that
maximise a support vector machine's margin on labelled data.

The feature map is the one of IBM's tutorial (tutorials/qka.ipynb): a data point ``x`` of
``2n`` features on ``n`` qubits is ``RY(-λ_i)`` on each qubit, ``CZ`` on each pair of the
entangler map, then ``RZ(-2 x[2i+1])`` and ``RX(-2 x[2i])`` on qubit ``i``.  A kernel entry
``K(x, y)`` is the probability of measuring all zeros after the map of ``x`` and the inverse
of the map of ``y`` (8192 shots, as IBM ran it).  Each SPSA step (IBM's gains: a = 0.05,
c = 0.1, alpha = 0.602, gamma = 0.101) evaluates the SVM's dual objective, maximised over the
Lagrange multipliers for a penalty ``C``, at the parameters moved up and down a random
direction, and publishes ``{"cost", "kernel_parameters"}``.  The result is the parameters
averaged over the last tenth of the steps (the last ones when there are fewer than ten) and
the kernel matrix they give: ``{"aligned_kernel_parameters", "aligned_kernel_matrix"}``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np
from qiskit import QuantumCircuit, transpile
from qiskit.circuit import ParameterVector

from runtime_kit.algorithms.inputs import ProgramInputError
from runtime_kit.algorithms.variational import Publish

#: Shots per kernel entry, as IBM's program ran them.
KERNEL_SHOTS = 8192
#: SPSA's gains in IBM's program: a, c, alpha, gamma and the stability constant A.
SPSA_GAINS = (0.05, 0.1, 0.602, 0.101, 0.0)


@dataclass(frozen=True)
class FeatureMap:
    """The tutorial's feature map: ``feature_dimension`` features (even) on half as many
    qubits, with ``CZ`` on each pair of ``entangler_map`` (every pair when none is given)."""

    feature_dimension: int
    entangler_map: tuple[tuple[int, int], ...]

    @property
    def num_qubits(self) -> int:
        return self.feature_dimension // 2

    @classmethod
    def from_input(cls, value: Any) -> FeatureMap:
        """The ``feature_map`` input: the JSON text of the tutorial's ``FeatureMap.to_json``
        (how legacy clients sent the object), or the same as a dict.

        Raises:
            ProgramInputError: not a feature map, an odd dimension, pairs off the qubits.
        """
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError as exc:
                raise ProgramInputError(f"input 'feature_map' is not JSON ({exc})") from exc
        if not isinstance(value, dict) or "feature_dimension" not in value:
            raise ProgramInputError(
                "input 'feature_map' must hold feature_dimension (and entangler_map), as "
                "FeatureMap.to_json() wrote them"
            )
        dimension = value["feature_dimension"]
        if not isinstance(dimension, int) or isinstance(dimension, bool) or dimension < 2:
            raise ProgramInputError("feature_map: feature_dimension must be an even integer >= 2")
        if dimension % 2:
            raise ProgramInputError(f"feature_map: feature_dimension {dimension} is not even")
        qubits = dimension // 2
        pairs = value.get("entangler_map")
        if pairs is None:
            pairs = list(combinations(range(qubits), 2))
        return cls(dimension, _pairs(pairs, qubits))

    def circuit(self, x: Any, parameters: Any) -> QuantumCircuit:
        """The map of data point ``x`` with kernel ``parameters`` (one per qubit)."""
        circuit = QuantumCircuit(self.num_qubits)
        for qubit in range(self.num_qubits):
            circuit.ry(-parameters[qubit], qubit)
        for source, target in self.entangler_map:
            circuit.cz(source, target)
        for qubit in range(self.num_qubits):
            circuit.rz(-2 * x[2 * qubit + 1], qubit)
            circuit.rx(-2 * x[2 * qubit], qubit)
        return circuit


class KernelMatrix:
    """Kernel matrices of ``feature_map`` on ``backend``: one compiled template circuit (data
    and parameters unbound), bound for every pair of points."""

    def __init__(
        self, feature_map: FeatureMap, backend: Any, *, initial_layout: Any = None
    ) -> None:
        qubits, dimension = feature_map.num_qubits, feature_map.feature_dimension
        self._x, self._y = ParameterVector("x", dimension), ParameterVector("y", dimension)
        self._lambdas = ParameterVector("lambda", qubits)
        template = feature_map.circuit(self._x, self._lambdas)
        template.compose(feature_map.circuit(self._y, self._lambdas).inverse(), inplace=True)
        template.measure_all()
        self._compiled = transpile(template, backend, initial_layout=initial_layout)
        self._backend = backend
        self._qubits = qubits

    def matrix(self, rows: np.ndarray, columns: np.ndarray, parameters: np.ndarray) -> np.ndarray:
        """``K[i, j]``, the probability of all zeros for ``rows[i]`` and ``columns[j]``; a
        matrix of a set with itself runs only the pairs above the diagonal (which is 1)."""
        lambdas = np.broadcast_to(parameters, (self._qubits,))
        square = rows is columns or np.array_equal(rows, columns)
        if square:
            pairs = list(combinations(range(len(rows)), 2))
        else:
            pairs = [(i, j) for i in range(len(rows)) for j in range(len(columns))]
        circuits = [self._bound(rows[i], columns[j], lambdas) for i, j in pairs]
        counts = self._backend.run(circuits, shots=KERNEL_SHOTS).result().get_counts()
        counts = counts if isinstance(counts, list) else [counts]
        zeros = "0" * self._qubits
        matrix = np.eye(len(rows)) if square else np.zeros((len(rows), len(columns)))
        for (i, j), histogram in zip(pairs, counts, strict=True):
            matrix[i, j] = histogram.get(zeros, 0) / sum(histogram.values())
            if square:
                matrix[j, i] = matrix[i, j]
        return matrix

    def _bound(self, x: np.ndarray, y: np.ndarray, lambdas: np.ndarray) -> QuantumCircuit:
        values = dict(zip(self._x, x, strict=True))
        values.update(zip(self._y, y, strict=True))
        values.update(zip(self._lambdas, lambdas, strict=True))
        bound: QuantumCircuit = self._compiled.assign_parameters(values)
        return bound


def svm_dual(kernel: np.ndarray, labels: np.ndarray, penalty: float) -> float:
    """The soft-margin SVM's dual objective at its maximum over the multipliers ``a``:
    ``sum(a) - a.H.a / 2`` with ``H = (y y^T) * K``, ``0 <= a <= penalty``, ``y.a = 0``."""
    from scipy.optimize import minimize

    hessian = np.outer(labels, labels) * kernel
    count = len(labels)
    solution = minimize(
        lambda a: 0.5 * a @ hessian @ a - a.sum(),
        np.zeros(count),
        jac=lambda a: hessian @ a - 1.0,
        bounds=[(0.0, penalty)] * count,
        constraints=[{"type": "eq", "fun": lambda a: labels @ a, "jac": lambda a: labels}],
        method="SLSQP",
        options={"maxiter": 1000, "ftol": 1e-12},
    )
    return float(-solution.fun)


def align_kernel(
    feature_map: FeatureMap,
    backend: Any,
    publish: Publish,
    *,
    data: Any,
    labels: Any,
    initial_kernel_parameters: Any = None,
    maxiters: int = 1,
    C: float = 1.0,
    initial_layout: Any = None,
) -> dict[str, np.ndarray]:
    """Align the kernel to ``data`` and ``labels`` (IBM's QKA); its result dict.

    Raises:
        ProgramInputError: inputs that cannot be used (named in the message).
    """
    points, signs = _data(data, labels, feature_map)
    if maxiters < 1:
        raise ProgramInputError(f"input 'maxiters' must be at least 1, not {maxiters}")
    lambdas = _initial(initial_kernel_parameters, feature_map.num_qubits)
    kernels = KernelMatrix(feature_map, backend, initial_layout=initial_layout)
    a, c, alpha, gamma, stability = SPSA_GAINS
    visited = []
    for step in range(maxiters):
        perturbation = c / (step + 1) ** gamma
        direction = 2 * np.random.randint(0, 2, size=lambdas.shape) - 1
        costs = [
            svm_dual(kernels.matrix(points, points, lambdas + sign * perturbation * direction),
                     signs, C)
            for sign in (1, -1)
        ]  # fmt: skip
        gradient = (costs[0] - costs[1]) * direction / (2 * perturbation)
        lambdas = lambdas - a / (step + 1 + stability) ** alpha * gradient
        publish({"cost": (costs[0] + costs[1]) / 2, "kernel_parameters": lambdas})
        visited.append(lambdas)
    last = max(len(visited) // 10, 1)
    aligned = np.mean(visited[-last:], axis=0)
    return {
        "aligned_kernel_parameters": aligned,
        "aligned_kernel_matrix": kernels.matrix(points, points, aligned),
    }


def _pairs(value: Any, qubits: int) -> tuple[tuple[int, int], ...]:
    try:
        pairs = tuple((int(a), int(b)) for a, b in value)
    except (TypeError, ValueError) as exc:
        raise ProgramInputError("feature_map: entangler_map must be pairs of qubits") from exc
    for pair in pairs:
        if not all(0 <= q < qubits for q in pair) or pair[0] == pair[1]:
            raise ProgramInputError(
                f"feature_map: entangler pair {list(pair)} is not two of its {qubits} qubits"
            )
    return pairs


def _data(data: Any, labels: Any, feature_map: FeatureMap) -> tuple[np.ndarray, np.ndarray]:
    try:
        points = np.asarray(data, dtype=float)
        signs = np.asarray(labels, dtype=float).ravel()
    except (TypeError, ValueError) as exc:
        raise ProgramInputError(f"inputs 'data' and 'labels' must be numbers ({exc})") from exc
    if points.ndim != 2 or points.shape[1] != feature_map.feature_dimension:
        raise ProgramInputError(
            f"input 'data' must be N x {feature_map.feature_dimension} (the feature map's "
            f"dimension), not {' x '.join(map(str, points.shape))}"
        )
    if len(signs) != len(points):
        raise ProgramInputError(f"input 'labels' has {len(signs)} labels for {len(points)} points")
    if not np.isin(signs, (-1.0, 1.0)).all() or len(set(signs)) < 2:
        raise ProgramInputError("input 'labels' must be +1 and -1, both present")
    return points, signs


def _initial(value: Any, qubits: int) -> np.ndarray:
    if value is None:
        return np.random.uniform(-1.0, 1.0, size=qubits)
    try:
        lambdas = np.asarray(value, dtype=float).ravel()
    except (TypeError, ValueError) as exc:
        raise ProgramInputError("input 'initial_kernel_parameters' must be numbers") from exc
    if len(lambdas) not in (1, qubits):
        raise ProgramInputError(
            f"input 'initial_kernel_parameters' has {len(lambdas)} values: give 1 (for every "
            f"qubit) or {qubits}"
        )
    return lambdas
