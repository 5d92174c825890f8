"""Write what legacy clients send to IBM's public programs: run this in the legacy
applications venv, never in the suite (see README.md):

    .venv-legacy-apps/bin/python -m tests.interop.make_application_vectors \
        tests/interop/applications/legacy-clients.json

Each vector is {"name", "payload"}: the text qiskit-ibmq-provider 0.20.2's own
``RuntimeEncoder`` wrote for a value (opflow operators, optimizers), or for the inputs of a
program run, as ``provider.runtime.run`` sends them (then also "program_id" and "options").
The clients' inputs are recorded from the clients themselves, qiskit-nature 0.4's
``VQEProgram``/``VQEClient`` and qiskit-optimization 0.4's ``QAOAClient`` (which
``MinimumEigenOptimizer.solve`` drives), by a provider whose ``runtime.run`` keeps what it is
given; the tutorials' inputs are built as the notebooks built them.
"""

import json
import sys
import warnings

import numpy as np

warnings.simplefilter("ignore")

from qiskit.algorithms.optimizers import COBYLA, L_BFGS_B, QNSPSA, SPSA  # noqa: E402
from qiskit.circuit.library import EfficientSU2, TwoLocal  # noqa: E402
from qiskit.opflow import I, PauliSumOp, SummedOp, X, Z, Z2Symmetries  # noqa: E402
from qiskit.providers.ibmq.runtime.utils import RuntimeEncoder  # noqa: E402


class Recorded(Exception):
    """Raised by the recording runtime once it holds a run's arguments."""


class RecordingRuntime:
    def __init__(self):
        self.runs = []

    def run(self, program_id, inputs, options, callback=None, **kwargs):
        self.runs.append({"program_id": program_id, "inputs": inputs, "options": options})
        raise Recorded()


class RecordingProvider:
    def __init__(self):
        self.runtime = RecordingRuntime()


class Backend:
    def name(self):
        return "ibmq_qasm_simulator"


class FeatureMap:
    """What the QKA notebook sends as ``feature_map``: an object with ``to_json``."""

    def __init__(self, feature_dimension, entangler_map):
        self.feature_dimension, self.entangler_map = feature_dimension, entangler_map

    def to_json(self):
        return json.dumps(
            {"feature_dimension": self.feature_dimension, "entangler_map": self.entangler_map}
        )


def recorded(call):
    provider = RecordingProvider()
    try:
        call(provider)
    except Recorded:
        pass
    (run,) = provider.runtime.runs
    return run


def operators():
    tapering = PauliSumOp.from_list([("ZZ", 1.0), ("XX", 0.5)])
    return {
        "opflow_pauli_op": (Z ^ Z) ^ (I ^ 2),
        "opflow_pauli_sum_op": (Z ^ Z ^ I) - (I ^ Z ^ Z) + 0.5 * (X ^ I ^ I),
        "opflow_pauli_sum_op_complex": 2.5 * PauliSumOp.from_list([("XY", 1), ("ZI", -0.5j)]),
        "opflow_tapered_pauli_sum_op": Z2Symmetries.find_Z2_symmetries(tapering).taper(tapering)[1],
        "opflow_summed_op": SummedOp([Z ^ Z, 0.5 * (X ^ X)], coeff=2.0),
    }


def optimizers():
    return {
        "optimizer_spsa": SPSA(maxiter=50),
        "optimizer_cobyla": COBYLA(maxiter=10),
        "optimizer_l_bfgs_b": L_BFGS_B(maxiter=5),
        "optimizer_qnspsa": QNSPSA(fidelity=lambda x, y: 1.0, maxiter=3),
    }


def vqe_tutorial():
    """tutorials/vqe.ipynb: the inputs of its raw ``provider.runtime.run`` (5 SPSA steps)."""
    ansatz = EfficientSU2(4, reps=1, entanglement="linear", insert_barriers=True)
    np.random.seed(10)
    return {
        "program_id": "vqe",
        "options": {"backend_name": "ibmq_qasm_simulator"},
        "inputs": {
            "ansatz": ansatz,
            "operator": (Z ^ Z) ^ (I ^ 2),
            "optimizer": {"name": "SPSA", "maxiter": 5},
            "initial_point": np.random.random(ansatz.num_parameters),
            "measurement_error_mitigation": True,
            "shots": 1024,
        },
    }


def vqe_program_with_a_dict_optimizer():
    """tutorials/vqe.ipynb's ``VQEProgram`` (qiskit-nature), an SPSA dict, one aux operator."""
    from qiskit_nature.runtime import VQEProgram

    ansatz = EfficientSU2(4, reps=1, entanglement="linear", insert_barriers=True)
    np.random.seed(10)

    def call(provider):
        vqe = VQEProgram(
            ansatz=ansatz,
            optimizer={"name": "SPSA", "maxiter": 10},
            initial_point=np.random.random(ansatz.num_parameters),
            provider=provider,
            backend=Backend(),
            shots=1024,
            measurement_error_mitigation=True,
            callback=lambda *args: None,
        )
        vqe.compute_minimum_eigenvalue((Z ^ Z) ^ (I ^ 2), aux_operators=[(I ^ I ^ Z ^ Z)])

    return recorded(call)


def vqe_client_h2():
    """qiskit-nature's ``VQEClient`` on H2 (2 qubits, parity mapping), COBYLA, aux operators
    by name, as ``GroundStateEigensolver`` hands them over."""
    from qiskit_nature.runtime import VQEClient

    hamiltonian = PauliSumOp.from_list(H2)
    ansatz = TwoLocal(2, "ry", "cx", reps=1)

    def call(provider):
        vqe = VQEClient(
            ansatz=ansatz,
            optimizer=COBYLA(maxiter=60),
            initial_point=np.zeros(ansatz.num_parameters),
            provider=provider,
            backend=Backend(),
            shots=4096,
        )
        aux = {"ParticleNumber": PauliSumOp.from_list([("II", 1.0)]), "ZZ": Z ^ Z}
        vqe.compute_minimum_eigenvalue(hamiltonian, aux_operators=aux)

    return recorded(call)


#: The electronic H2 Hamiltonian (STO-3G, 0.735 Å, parity mapping with two-qubit reduction);
#: its lowest eigenvalue is -1.857275 Ha.
H2 = [
    ("II", -1.052373245772859),
    ("IZ", 0.39793742484318045),
    ("ZI", -0.39793742484318045),
    ("ZZ", -0.01128010425623538),
    ("XX", 0.18093119978423156),
]


def qaoa_tutorial():
    """qiskit-optimization's tutorial 12_qaoa_runtime: its raw ``provider.runtime.run``."""
    op = (
        (Z ^ Z ^ I ^ I ^ I)
        - (I ^ I ^ Z ^ Z ^ I)
        + (I ^ I ^ Z ^ I ^ Z)
        - (Z ^ I ^ Z ^ I ^ I)
        - (I ^ Z ^ Z ^ I ^ I)
        + (I ^ Z ^ I ^ Z ^ I)
        + (I ^ I ^ I ^ Z ^ Z)
    )
    np.random.seed(12)
    return {
        "program_id": "qaoa",
        "options": {"backend_name": "ibmq_qasm_simulator"},
        "inputs": {
            "operator": op,
            "reps": 2,
            "optimizer": SPSA(maxiter=100),
            "initial_point": np.random.random(4),
            "shots": 2**13,
            "use_swap_strategies": False,
            "use_initial_mapping": False,
            "use_pulse_efficient": False,
        },
    }


def qaoa_client_qubo():
    """The same tutorial's ``QAOAClient(reps=2, alpha=0.75)`` under ``MinimumEigenOptimizer``."""
    from qiskit_optimization import QuadraticProgram
    from qiskit_optimization.algorithms import MinimumEigenOptimizer
    from qiskit_optimization.runtime import QAOAClient

    qubo = QuadraticProgram()
    qubo.binary_var("x")
    qubo.binary_var("y")
    qubo.binary_var("z")
    qubo.minimize(linear=[1, -2, 3], quadratic={("x", "y"): 1, ("x", "z"): -1, ("y", "z"): 2})

    def call(provider):
        client = QAOAClient(provider=provider, backend=Backend(), reps=2, alpha=0.75)
        MinimumEigenOptimizer(client).solve(qubo)

    return recorded(call)


def qka_notebook():
    """tutorials/qka.ipynb's inputs, on a small data set of our own (8 points, 2 qubits)."""
    rng = np.random.default_rng(7)
    data = rng.uniform(-1, 1, size=(8, 4))
    labels = np.array([1, -1] * 4, dtype=float)
    return {
        "program_id": "quantum-kernel-alignment",
        "options": {"backend_name": "ibmq_qasm_simulator"},
        "inputs": {
            "feature_map": FeatureMap(feature_dimension=4, entangler_map=[[0, 1]]),
            "data": data,
            "labels": labels,
            "initial_kernel_parameters": [0.1],
            "maxiters": 3,
            "C": 1,
            "initial_layout": [10, 11],
        },
    }


def main():
    out = sys.argv[1]
    rows = []
    for name, value in {**operators(), **optimizers()}.items():
        rows.append({"name": name, "payload": json.dumps(value, cls=RuntimeEncoder)})
    runs = {
        "vqe_tutorial": vqe_tutorial(),
        "vqe_program_dict_optimizer": vqe_program_with_a_dict_optimizer(),
        "vqe_client_h2": vqe_client_h2(),
        "qaoa_tutorial": qaoa_tutorial(),
        "qaoa_client_qubo": qaoa_client_qubo(),
        "qka_notebook": qka_notebook(),
    }
    for name, run in runs.items():
        rows.append(
            {
                "name": name,
                "program_id": run["program_id"],
                "options": run["options"],
                "payload": json.dumps(run["inputs"], cls=RuntimeEncoder),
            }
        )
    with open(out, "w") as handle:
        json.dump({"stack": "qiskit-ibmq-provider 0.20.2, qiskit-terra 0.23, "
                   "qiskit-nature 0.4.5, qiskit-optimization 0.4.0", "vectors": rows},
                  handle, indent=1)
        handle.write("\n")


if __name__ == "__main__":
    main()
