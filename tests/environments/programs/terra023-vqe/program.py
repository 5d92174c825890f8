"""A program written for qiskit-terra 0.23 (2023): opflow operators, qiskit.algorithms' VQE on
a QuantumInstance, qiskit.ignis measurement mitigation, the provider's runtime imports."""

import numpy as np
from qiskit.algorithms import VQE
from qiskit.algorithms.optimizers import SPSA
from qiskit.circuit.library import EfficientSU2
from qiskit.ignis.mitigation.measurement import CompleteMeasFitter
from qiskit.opflow import PauliSumOp
from qiskit.providers.ibmq.runtime import ProgramBackend, UserMessenger
from qiskit.utils import QuantumInstance, algorithm_globals


def main(backend: ProgramBackend, user_messenger: UserMessenger, operator, maxiter=10, shots=1024):
    if not isinstance(operator, PauliSumOp):
        raise TypeError(f"expected a PauliSumOp, got {type(operator).__name__}")
    algorithm_globals.random_seed = 7
    ansatz = EfficientSU2(operator.num_qubits, reps=1, entanglement="linear")
    instance = QuantumInstance(
        backend,
        shots=shots,
        measurement_error_mitigation_cls=CompleteMeasFitter,
        seed_transpiler=7,
    )

    def publish(count, parameters, mean, std):
        user_messenger.publish({"evaluation": count, "energy": float(np.real(mean))})

    vqe = VQE(ansatz, optimizer=SPSA(maxiter=maxiter), quantum_instance=instance, callback=publish)
    result = vqe.compute_minimum_eigenvalue(operator)
    return {
        "energy": float(np.real(result.eigenvalue)),
        "evaluations": int(result.cost_function_evals),
        "parameters": result.optimal_point,
    }
