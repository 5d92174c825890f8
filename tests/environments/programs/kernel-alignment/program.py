"""Quantum kernel alignment shaped as IBM's archived ``quantum-kernel-alignment`` program was
(2021): a feature map sent as its JSON, kernel matrices estimated from circuits run on the
backend, the SVM's dual solved with cvxopt's quadratic programming, SPSA on the kernel's
parameters, each step published, the aligned kernel published as the final result."""

import itertools
import json

import numpy as np
from cvxopt import matrix, solvers
from qiskit import QuantumCircuit, QuantumRegister
from qiskit.compiler import transpile


class FeatureMap:
    """Two features per qubit: a parameterised layer of RY, CZ entanglers, then the data."""

    def __init__(self, feature_dimension, entangler_map=None):
        if not isinstance(feature_dimension, int) or feature_dimension % 2:
            raise ValueError("the feature dimension must be an even integer")
        self.feature_dimension = feature_dimension
        self.num_qubits = feature_dimension // 2
        if entangler_map is None:
            pairs = itertools.combinations(range(self.num_qubits), 2)
            entangler_map = [list(pair) for pair in pairs]
        self.entangler_map = entangler_map

    def construct_circuit(self, x, parameters, inverse=False):
        register = QuantumRegister(self.num_qubits, name="q")
        circuit = QuantumCircuit(register)
        for qubit in range(self.num_qubits):
            circuit.ry(-parameters[qubit], register[qubit])
        for source, target in self.entangler_map:
            circuit.cz(register[source], register[target])
        for qubit in range(self.num_qubits):
            circuit.rz(-2 * x[2 * qubit + 1], register[qubit])
            circuit.rx(-2 * x[2 * qubit], register[qubit])
        return circuit.inverse() if inverse else circuit

    def to_json(self):
        return json.dumps(
            {"feature_dimension": self.feature_dimension, "entangler_map": self.entangler_map}
        )

    @classmethod
    def from_json(cls, text):
        return cls(**json.loads(text))


def kernel_matrix(feature_map, backend, data, parameters, initial_layout=None, shots=2048):
    """K[i, j]: the probability of measuring all zeros after U(x_i) U(x_j)^dagger."""
    pairs = list(itertools.combinations(range(len(data)), 2))
    circuits = []
    for first, second in pairs:
        circuit = feature_map.construct_circuit(data[first], parameters)
        circuit = circuit.compose(feature_map.construct_circuit(data[second], parameters, True))
        circuit.measure_all()
        circuits.append(circuit)
    circuits = transpile(circuits, backend=backend, initial_layout=initial_layout)
    result = backend.run(circuits, shots=shots).result()
    zeros = "0" * feature_map.num_qubits
    kernel = np.eye(len(data))
    for index, (first, second) in enumerate(pairs):
        counts = result.get_counts(index)
        kernel[first, second] = kernel[second, first] = counts.get(zeros, 0) / shots
    return kernel


def svm_objective(kernel, labels, penalty):
    """The soft-margin SVM's dual, maximised with cvxopt; returns its optimal value."""
    y = labels.astype(float).reshape(-1, 1)
    n = kernel.shape[0]
    solvers.options["show_progress"] = False
    solution = solvers.qp(
        matrix(np.outer(y, y) * kernel),
        matrix(-np.ones((n, 1))),
        matrix(np.vstack((-np.eye(n), np.eye(n)))),
        matrix(np.vstack((np.zeros((n, 1)), penalty * np.ones((n, 1))))),
        matrix(y, (1, n)),
        matrix(np.zeros(1), (1, 1)),
        kktsolver="ldl",
    )
    return -solution["primal objective"]


def main(backend, user_messenger, **kwargs):
    feature_map = FeatureMap.from_json(kwargs["feature_map"])
    data = np.asarray(kwargs["data"], dtype=float)
    labels = np.asarray(kwargs["labels"])
    maxiters = kwargs.get("maxiters", 1)
    penalty = kwargs.get("C", 1)
    layout = kwargs.get("initial_layout")
    lambdas = kwargs.get("initial_kernel_parameters")
    if lambdas is None:
        lambdas = np.random.uniform(-1.0, 1.0, size=feature_map.num_qubits)
    lambdas = np.asarray(lambdas, dtype=float)

    history = []
    for step in range(maxiters):
        width = 0.1 / (step + 1) ** 0.101
        gain = 0.05 / (step + 1) ** 0.602
        delta = 2 * np.random.RandomState(step).randint(0, 2, size=lambdas.shape[0]) - 1
        costs = [
            svm_objective(
                kernel_matrix(feature_map, backend, data, lambdas + sign * width * delta, layout),
                labels,
                penalty,
            )
            for sign in (1, -1)
        ]
        lambdas = lambdas - gain * (costs[0] - costs[1]) * delta / (2 * width)
        cost = (costs[0] + costs[1]) / 2
        history.append(lambdas)
        user_messenger.publish({"cost": cost, "kernel_parameters": lambdas})

    aligned = np.mean(history[-max(1, len(history) // 10) :], axis=0)
    user_messenger.publish(
        {
            "aligned_kernel_parameters": aligned,
            "aligned_kernel_matrix": kernel_matrix(feature_map, backend, data, aligned, layout),
        },
        final=True,
    )
