"""tutorials/qka.ipynb of Qiskit-Partners/qiskit-runtime, its runtime cells in order: the
feature map (its FeatureMap class, which the notebook imports from the repository's
qiskit_runtime package, written here with the same interface), the program's description,
a run with an interim-result callback, and an SVM trained on the aligned kernel.
Substituted: the account and backend (ibmq_montreal -> ibmq_qasm_simulator), the data set
(the notebook's CSV file: a small one of our own, 2 x 4 features on 2 qubits) and the test
accuracy cell (it builds kernels on the client with the repository's KernelMatrix)."""

import json

import numpy as np
from qiskit import IBMQ


class FeatureMap:
    """The interface of qiskit_runtime.qka.FeatureMap that the notebook uses."""

    def __init__(self, feature_dimension, entangler_map=None):
        self._feature_dimension = feature_dimension
        self._entangler_map = entangler_map

    def to_json(self):
        return json.dumps(
            {"feature_dimension": self._feature_dimension, "entangler_map": self._entangler_map}
        )


provider = IBMQ.load_account()
backend = provider.get_backend("ibmq_qasm_simulator")

rng = np.random.default_rng(11)
centres = np.array([[0.5, -0.5, 0.2, 0.1], [-0.5, 0.5, -0.2, -0.1]])
x_train = np.vstack([centres[i % 2] + 0.1 * rng.normal(size=4) for i in range(10)])
y_train = np.array([1.0, -1.0] * 5)
d = np.shape(x_train)[1]
em = [[0, 1]]
fm = FeatureMap(feature_dimension=d, entangler_map=em)
initial_point = [0.1]
C = 1
maxiters = 4
initial_layout = [10, 11]

print(provider.runtime.program("quantum-kernel-alignment"))


def interim_result_callback(job_id, interim_result):
    print(f"interim result: {interim_result}")


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
print(f"aligned_kernel_parameters: {result['aligned_kernel_parameters']}")

from sklearn import metrics  # noqa: E402
from sklearn.svm import SVC  # noqa: E402

kernel_aligned = result["aligned_kernel_matrix"]
model = SVC(C=C, kernel="precomputed")
model.fit(X=kernel_aligned, y=y_train)
labels_train = model.predict(X=kernel_aligned)
print(f"accuracy train: {metrics.balanced_accuracy_score(y_true=y_train, y_pred=labels_train)}")
