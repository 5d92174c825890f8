"""tutorials/qka.ipynb of Qiskit-Partners/qiskit-runtime, cell by cell in order, written anew:
the provider of project "qiskit-runtime" and ``ibmq_montreal`` (its device snapshot), a 7-qubit
data set of 14 features, the feature map on the notebook's entangler map, the program's
description, a run of the built-in ``quantum-kernel-alignment`` with the notebook's inputs
(10 SPSA steps, ``initial_layout`` [10..16]; 5 training and 5 test samples per class
where the notebook took 10, for time) and an interim-result callback, then an SVM
trained on the aligned kernel and tested on new data with a kernel built on the client,
through ``backend.run`` on ibmq_montreal.

Substituted: the account; the notebook imports ``FeatureMap`` and ``KernelMatrix`` from the
archived repository's ``qiskit_runtime.qka`` package: ours below have the interface the
notebook uses (``FeatureMap(feature_dimension, entangler_map)``, ``construct_circuit``,
``to_json``; ``KernelMatrix(feature_map, backend, initial_layout)``,
``construct_kernel_matrix``), the map the program uses; the data set is ours (the
notebook's dataset_graph7.csv is the repository's: two classes of 7 x 2 angles), written to
a CSV file and read with numpy (no pandas in this venv).  The plot's data is printed."""

import json
import sys
import tempfile
from pathlib import Path

import numpy as np
from qiskit import IBMQ, QuantumCircuit, transpile


class FeatureMap:
    """A data point's 2n features on n qubits: RY(-lambda) on each qubit, CZ on each pair of
    the entangler map, then RZ(-2 x[2i+1]) and RX(-2 x[2i]) on qubit i."""

    def __init__(self, feature_dimension, entangler_map=None):
        self._feature_dimension = feature_dimension
        self._num_qubits = feature_dimension // 2
        self._entangler_map = entangler_map

    def construct_circuit(self, x=None, parameters=None, q=None, inverse=False, name=None):
        circuit = QuantumCircuit(self._num_qubits, name=name)
        for qubit in range(self._num_qubits):
            circuit.ry(-parameters[qubit % len(parameters)], qubit)
        for source, target in self._entangler_map:
            circuit.cz(source, target)
        for qubit in range(self._num_qubits):
            circuit.rz(-2 * x[2 * qubit + 1], qubit)
            circuit.rx(-2 * x[2 * qubit], qubit)
        return circuit.inverse() if inverse else circuit

    def to_json(self):
        return json.dumps(
            {"feature_dimension": self._feature_dimension, "entangler_map": self._entangler_map}
        )


class KernelMatrix:
    """Kernel entries as the probability of all zeros after the map of x1 and the inverse
    map of x2, run on the backend (8192 shots)."""

    def __init__(self, feature_map, backend, initial_layout=None):
        self._feature_map = feature_map
        self._backend = backend
        self._initial_layout = initial_layout

    def construct_kernel_matrix(self, x1_vec, x2_vec, parameters=None):
        circuits = []
        for x1 in x1_vec:
            for x2 in x2_vec:
                circuit = self._feature_map.construct_circuit(x=x1, parameters=parameters)
                circuit.compose(
                    self._feature_map.construct_circuit(x=x2, parameters=parameters, inverse=True),
                    inplace=True,
                )
                circuit.measure_all()
                circuits.append(circuit)
        compiled = transpile(circuits, self._backend, initial_layout=self._initial_layout)
        counts = self._backend.run(compiled, shots=8192).result().get_counts()
        zeros = "0" * len(self._initial_layout or x1_vec[0][::2])
        probabilities = [c.get(zeros, 0) / sum(c.values()) for c in counts]
        return np.reshape(probabilities, (len(x1_vec), len(x2_vec)))


def our_data_set(path, rows_per_class=20, seed=7):
    """Two classes of 14 angles around two centres, alternating rows, label last."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(-np.pi / 4, np.pi / 4, size=(2, 14))
    rows = []
    for index in range(2 * rows_per_class):
        label = 1.0 if index % 2 == 0 else -1.0
        point = centres[index % 2] + 0.05 * rng.normal(size=14)
        rows.append([*point, label])
    np.savetxt(path, np.asarray(rows), delimiter=",")


# cell 2: the provider and ibmq_montreal
IBMQ.load_account()
provider = IBMQ.get_provider(project="qiskit-runtime")
backend = provider.get_backend("ibmq_montreal")

# cells 4-6: the data set
csv = Path(tempfile.mkdtemp()) / "dataset_graph7.csv"
our_data_set(csv)
data = np.loadtxt(csv, delimiter=",")
print(f"cell 6: data {data.shape}")

# cell 8: training and test samples, sorted by label (the notebook's 10 and 10 per class
# took 7 minutes here: 3990 kernel circuits of 8192 shots on the device's noise model)
num_train = 5
num_test = 5
train = data[: 2 * num_train, :]
test = data[2 * num_train : 2 * (num_train + num_test), :]
ind = np.argsort(train[:, -1])
x_train = train[ind][:, :-1]
y_train = train[ind][:, -1]
ind = np.argsort(test[:, -1])
x_test = test[ind][:, :-1]
y_test = test[ind][:, -1]

# cells 10-16: the feature map on the 7-qubit graph, C, maxiters, the layout
d = np.shape(data)[1] - 1
em = [[0, 2], [3, 4], [2, 5], [1, 4], [2, 3], [4, 6]]
fm = FeatureMap(feature_dimension=d, entangler_map=em)
initial_point = [0.1]
circuit = fm.construct_circuit(x=x_train[0], parameters=initial_point)
print(f"cell 12: {circuit.num_qubits} qubits, {dict(circuit.count_ops())}")
C = 1
maxiters = 10
initial_layout = [10, 11, 12, 13, 14, 15, 16]

# cell 18: the program
print(provider.runtime.program("quantum-kernel-alignment"))


# cells 20-21: the run, with a callback
def interim_result_callback(job_id, interim_result):
    print(f"interim result: {interim_result}\n")


program_inputs = {
    "feature_map": fm,
    "data": x_train,
    "labels": y_train,
    "initial_kernel_parameters": initial_point,
    "maxiters": maxiters,
    "C": C,
    "initial_layout": initial_layout,
}
options = {"backend_name": backend.name()}
job = provider.runtime.run(
    program_id="quantum-kernel-alignment",
    options=options,
    inputs=program_inputs,
    callback=interim_result_callback,
)
print(job.job_id())
result = job.result()

# cell 23: the aligned parameters, and the kernel matrix (plotted in the notebook)
print(f"aligned_kernel_parameters: {result['aligned_kernel_parameters']}")
kernel = np.asarray(result["aligned_kernel_matrix"])
print(f"kernel: {kernel.shape} {json.dumps(kernel.tolist())}")

# cell 25: an SVM on the aligned kernel, tested on new data (a kernel built on the client)
from sklearn import metrics  # noqa: E402
from sklearn.svm import SVC  # noqa: E402

kernel_aligned = result["aligned_kernel_matrix"]
model = SVC(C=C, kernel="precomputed")
model.fit(X=kernel_aligned, y=y_train)
km = KernelMatrix(feature_map=fm, backend=backend, initial_layout=initial_layout)
kernel_test = km.construct_kernel_matrix(
    x1_vec=x_test, x2_vec=x_train, parameters=result["aligned_kernel_parameters"]
)
print(f"kernel_test: {kernel_test.shape}")
labels_test = model.predict(X=kernel_test)
accuracy_test = metrics.balanced_accuracy_score(y_true=y_test, y_pred=labels_test)
print(f"accuracy test: {accuracy_test}")
sys.stdout.flush()
