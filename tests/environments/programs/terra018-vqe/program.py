"""A program of 2021, for qiskit-terra 0.18 on Python 3.8: the backend checked against
``BaseBackend`` (gone in 0.21), an optimizer written to 0.18's ``Optimizer.optimize``
interface (0.19 made ``minimize`` the abstract method, so it cannot be instantiated there),
VQE on a ``QuantumInstance``, and the result published with ``final=True`` as IBM's archived
``vqe`` program did."""

import numpy as np
import qiskit
from qiskit.algorithms import VQE
from qiskit.algorithms.optimizers import Optimizer, OptimizerSupportLevel
from qiskit.circuit.library import TwoLocal
from qiskit.opflow import PauliSumOp
from qiskit.providers import Backend, BaseBackend
from qiskit.providers.ibmq.runtime import UserMessenger
from qiskit.utils import QuantumInstance


class StepSearch(Optimizer):
    """Coordinate search with a shrinking step, in 0.18's interface."""

    def __init__(self, maxiter=4, step=0.5):
        super().__init__()
        self.maxiter = maxiter
        self.step = step

    def get_support_level(self):
        return {
            "gradient": OptimizerSupportLevel.ignored,
            "bounds": OptimizerSupportLevel.ignored,
            "initial_point": OptimizerSupportLevel.required,
        }

    def optimize(
        self,
        num_vars,
        objective_function,
        gradient_function=None,
        variable_bounds=None,
        initial_point=None,
    ):
        super().optimize(
            num_vars, objective_function, gradient_function, variable_bounds, initial_point
        )
        point = np.asarray(initial_point, dtype=float)
        value = objective_function(point)
        evaluations = 1
        step = self.step
        for _ in range(self.maxiter):
            for index in range(num_vars):
                for sign in (1, -1):
                    trial = point.copy()
                    trial[index] += sign * step
                    trial_value = objective_function(trial)
                    evaluations += 1
                    if trial_value < value:
                        point, value = trial, trial_value
                        break
            step /= 2
        return point, value, evaluations


def main(
    backend, user_messenger: UserMessenger, operator, reps=1, maxiter=2, shots=512, ansatz=None
):
    if not isinstance(backend, (BaseBackend, Backend)):
        raise TypeError(f"not a backend: {backend!r}")
    hamiltonian = PauliSumOp.from_list([(label, coefficient) for label, coefficient in operator])
    if ansatz is None:
        ansatz = TwoLocal(hamiltonian.num_qubits, "ry", "cz", reps=reps)

    def publish(count, parameters, mean, std):
        user_messenger.publish({"evaluation": count, "energy": float(np.real(mean))})

    vqe = VQE(
        ansatz,
        optimizer=StepSearch(maxiter=maxiter),
        initial_point=np.zeros(ansatz.num_parameters),
        callback=publish,
        quantum_instance=QuantumInstance(backend, shots=shots, seed_transpiler=11),
    )
    result = vqe.compute_minimum_eigenvalue(hamiltonian)
    user_messenger.publish(
        {
            "energy": float(np.real(result.eigenvalue)),
            "evaluations": int(result.cost_function_evals),
            "terra": qiskit.__qiskit_version__["qiskit-terra"],
            "backend_class": type(backend).__mro__[1].__name__,
        },
        final=True,
    )
