"""estimator: a variational loop (VQE) with qiskit's Estimator primitive and SciPy.

The observable's energy is minimised over an ``efficient_su2`` ansatz; every evaluation is
published as {"iteration", "energy"}.  No qiskit.algorithms (removed in qiskit 1.0): the
loop is SciPy's ``minimize`` around ``BackendEstimatorV2`` on the job's backend.  The result
carries the estimator's own V2 result (a ``PrimitiveResult``) at the best parameters.
"""

import numpy as np
from qiskit.circuit.library import efficient_su2
from qiskit.primitives import BackendEstimatorV2
from qiskit.quantum_info import SparsePauliOp
from qiskit.transpiler import generate_preset_pass_manager
from scipy.optimize import minimize


def main(
    backend,
    user_messenger,
    observable,
    reps=1,
    maxiter=60,
    shots=4000,
    initial_point=None,
    optimizer="COBYLA",
):
    """Minimise <observable>; return the best energy, its parameters, the number of
    evaluations and the estimator's ``PrimitiveResult`` at those parameters.

    ``observable`` is a list of [pauli, coefficient] pairs, e.g. [["ZZ", 1.0], ["XX", 0.5]].
    """
    hamiltonian = SparsePauliOp.from_list([(pauli, coeff) for pauli, coeff in observable])
    ansatz = efficient_su2(hamiltonian.num_qubits, reps=reps)
    isa_ansatz = generate_preset_pass_manager(optimization_level=1, backend=backend).run(ansatz)
    isa_hamiltonian = hamiltonian.apply_layout(isa_ansatz.layout)
    estimator = BackendEstimatorV2(
        backend=backend, options={"default_precision": 1 / np.sqrt(shots)}
    )
    energies = []

    def energy(parameters):
        result = estimator.run([(isa_ansatz, isa_hamiltonian, parameters)]).result()
        value = float(result[0].data.evs)
        energies.append(value)
        user_messenger.publish({"iteration": len(energies), "energy": value})
        return value

    start = np.zeros(ansatz.num_parameters) if initial_point is None else initial_point
    found = minimize(
        energy, np.asarray(start, dtype=float), method=optimizer, options={"maxiter": maxiter}
    )
    best = estimator.run([(isa_ansatz, isa_hamiltonian, found.x)]).result()
    return {
        "energy": float(found.fun),
        "parameters": np.asarray(found.x),
        "evaluations": len(energies),
        "result": best,
    }
