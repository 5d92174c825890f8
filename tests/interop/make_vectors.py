"""Write the legacy test vectors: run this with a legacy stack's Python, never in the suite.

    python make_vectors.py provider OUT.json   # qiskit-ibmq-provider 0.20.2, qiskit-terra 0.23
    python make_vectors.py runtime OUT.json    # qiskit-ibm-runtime 0.9.4 (qiskit-terra 0.46)

Each vector is {"name", "payload"}: the text ``json.dumps(value, cls=RuntimeEncoder)`` gave
with that stack's own encoder.  tests/interop/test_legacy_vectors.py rebuilds each value with
today's qiskit and checks that runtime-kit decodes the payload to an equal object.
"""

import datetime
import json
import sys
import warnings

import numpy as np
import scipy.sparse
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter, ParameterVector
from qiskit.circuit.library import CXGate, EfficientSU2, PhaseGate, U2Gate
from qiskit.quantum_info import Operator, Pauli, SparsePauliOp, Statevector
from qiskit.result import Result


class Serializable:
    def to_json(self):
        return json.dumps({"kind": "serializable", "value": 42})


def bell():
    circuit = QuantumCircuit(2, 2, name="bell")
    circuit.h(0)
    circuit.cx(0, 1)
    circuit.measure([0, 1], [0, 1])
    return circuit


def parametrized():
    theta, phi = Parameter("theta"), Parameter("phi")
    circuit = QuantumCircuit(1, name="param")
    circuit.rx(theta, 0)
    circuit.rz(2 * phi + theta, 0)
    return circuit


def result():
    return Result.from_dict({
        "backend_name": "aer_simulator", "backend_version": "0.12.2", "qobj_id": "q1",
        "job_id": "j1", "success": True,
        "results": [{"shots": 100, "success": True, "data": {"counts": {"0x0": 48, "0x3": 52}},
                     "header": {"name": "bell", "memory_slots": 2}}],
    })


def common_vectors(settings_optimizers):
    theta, phi = Parameter("theta"), Parameter("phi")
    vector = ParameterVector("v", 3)
    vectors = {
        "datetime": datetime.datetime(2021, 9, 13, 17, 27, 42, 123456),
        "datetime_tz": datetime.datetime(2021, 9, 13, 17, 27, 42, tzinfo=datetime.timezone.utc),
        "date": datetime.date(2022, 3, 25),
        "complex": 1.5 - 2.25j,
        "ndarray_float": np.linspace(0, 1, 11),
        "ndarray_int_2d": np.arange(12, dtype=np.int32).reshape(3, 4),
        "ndarray_complex": np.array([1 + 1j, 2 - 0.5j]),
        "ndarray_bool": np.array([True, False, True]),
        "ndarray_fortran": np.asfortranarray(np.arange(6.0).reshape(2, 3)),
        "ndarray_object": np.array([1, "a", None], dtype=object),
        "set": {1, 2, 3},
        "result": result(),
        "to_json": Serializable(),
        "circuit_bell": bell(),
        "circuit_param": parametrized(),
        "circuit_list": [bell(), parametrized()],
        "circuit_efficient_su2": EfficientSU2(2, reps=1),
        "parameter": theta,
        "parameter_expression": 2 * phi + theta,
        "parameter_vector": [vector[0], vector[1] + vector[2], vector[2]],
        "instruction_cx": CXGate(),
        "instruction_phase": PhaseGate(1.0),
        "instruction_u2": U2Gate(0.5, 0.25),
        "instruction_u2_param": U2Gate(theta, 0.25),
        "sparse_pauli_op": SparsePauliOp(["XX", "ZI"], coeffs=[0.5, -1j]),
        "pauli": Pauli("XYZ"),
        "statevector": Statevector([1 / np.sqrt(2), 0, 0, 1 / np.sqrt(2)]),
        "operator": Operator(np.array([[0, 1], [1, 0]])),
        "spmatrix": scipy.sparse.csr_matrix(np.array([[0, 2.5, 0], [1, 0, 0]])),
        "callable": len,
        "nested": {"list": [1, 2.5, "x", None, True], "inner": {"z": 3 + 4j, "when": datetime.date(2020, 1, 2)}},
    }
    vectors.update(settings_optimizers())
    return vectors


def provider_vectors():
    from qiskit.algorithms.optimizers import ADAM, NELDER_MEAD, SPSA
    from qiskit.providers.ibmq.runtime.utils import RuntimeEncoder

    def optimizers():
        return {
            "optimizer_spsa": SPSA(maxiter=10, resamplings={1: 100, 2: 50}),
            "optimizer_nelder_mead": NELDER_MEAD(maxiter=20),
            "optimizer_adam": ADAM(maxiter=30, lr=0.01),
        }

    return RuntimeEncoder, common_vectors(optimizers)


def runtime_vectors():
    from qiskit.algorithms.optimizers import ADAM, NELDER_MEAD, SPSA
    from qiskit_aer.noise import NoiseModel, depolarizing_error
    from qiskit_ibm_runtime.utils.json import RuntimeEncoder

    def optimizers():
        return {
            "optimizer_spsa": SPSA(maxiter=10, resamplings={1: 100, 2: 50}),
            "optimizer_nelder_mead": NELDER_MEAD(maxiter=20),
            "optimizer_adam": ADAM(maxiter=30, lr=0.01),
        }

    vectors = common_vectors(optimizers)
    noise = NoiseModel()
    noise.add_all_qubit_quantum_error(depolarizing_error(0.01, 1), ["x", "sx"])
    vectors["noise_model"] = noise
    return RuntimeEncoder, vectors


def main():
    stack, out = sys.argv[1], sys.argv[2]
    encoder, vectors = {"provider": provider_vectors, "runtime": runtime_vectors}[stack]()
    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, value in vectors.items():
            rows.append({"name": name, "payload": json.dumps(value, cls=encoder)})
    with open(out, "w") as handle:
        json.dump({"stack": stack, "vectors": rows}, handle, indent=1)
        handle.write("\n")


if __name__ == "__main__":
    main()
