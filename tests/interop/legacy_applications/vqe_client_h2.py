"""qiskit-nature 0.4's VQEClient as GroundStateEigensolver calls it: the H2 Hamiltonian
(parity mapping, two-qubit reduction) with auxiliary operators by name, COBYLA, an interim
callback; the result rebuilt by the client from what the vqe program returned."""

import numpy as np
from qiskit import IBMQ
from qiskit.algorithms.optimizers import COBYLA
from qiskit.circuit.library import TwoLocal
from qiskit.opflow import PauliSumOp, Z
from qiskit_nature.runtime import VQEClient

H2 = PauliSumOp.from_list(
    [
        ("II", -1.052373245772859),
        ("IZ", 0.39793742484318045),
        ("ZI", -0.39793742484318045),
        ("ZZ", -0.01128010425623538),
        ("XX", 0.18093119978423156),
    ]
)
provider = IBMQ.load_account()
seen = []
vqe = VQEClient(
    ansatz=TwoLocal(2, "ry", "cx", reps=1),
    optimizer=COBYLA(maxiter=80),
    initial_point=np.zeros(4),
    provider=provider,
    backend=provider.get_backend("ibmq_qasm_simulator"),
    shots=8192,
    callback=lambda nfev, parameters, mean, std: seen.append((nfev, mean, std)),
)
aux = {"ParticleNumber": PauliSumOp.from_list([("II", 1.0)]), "ZZ": Z ^ Z}
result = vqe.compute_minimum_eigenvalue(H2, aux_operators=aux)
print("job:", result.job_id)
print("eigenvalue:", result.eigenvalue.real)
print(
    "aux:",
    {
        name: [float(np.real(value[0])), float(value[1])]
        for name, value in result.aux_operator_eigenvalues.items()
    },
)
print("callbacks:", len(seen), result.cost_function_evals)
print("last callback:", seen[-1][0])
