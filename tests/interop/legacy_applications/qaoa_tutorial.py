"""qiskit-optimization 0.4's tutorial 12_qaoa_runtime, its cells in order: the qaoa program
and its parameters, a raw ``provider.runtime.run`` (depth 2, SPSA 100 iterations, 2**13
shots), ``job_monitor``, the cut distribution read from the result's inputs and eigenstate,
then ``QAOAClient(reps=2, alpha=0.75)`` under ``MinimumEigenOptimizer`` on a QUBO.
Substituted: the account (``IBMQ.load_account()`` from this service's qiskitrc); the
pulse-efficient transpilation appendix (FakeBelem, no service involved) is left out."""

from collections import defaultdict

import numpy as np
from qiskit import IBMQ
from qiskit.algorithms.optimizers import SPSA
from qiskit.opflow import I, PauliSumOp, Z
from qiskit.tools import job_monitor

provider = IBMQ.load_account()
program_id = "qaoa"
qaoa_program = provider.runtime.program(program_id)
print(f"Program name: {qaoa_program.name}, Program id: {qaoa_program.program_id}")
print(qaoa_program.parameters())

op = (
    (Z ^ Z ^ I ^ I ^ I)
    - (I ^ I ^ Z ^ Z ^ I)
    + (I ^ I ^ Z ^ I ^ Z)
    - (Z ^ I ^ Z ^ I ^ I)
    - (I ^ Z ^ Z ^ I ^ I)
    + (I ^ Z ^ I ^ Z ^ I)
    + (I ^ I ^ I ^ Z ^ Z)
)
optimizer = SPSA(maxiter=100)
reps = 2
initial_point = np.random.random(2 * reps)
options = {"backend_name": "ibmq_qasm_simulator"}
runtime_inputs = {
    "operator": op,
    "reps": reps,
    "optimizer": optimizer,
    "initial_point": initial_point,
    "shots": 2**13,
    "use_swap_strategies": False,
    "use_initial_mapping": False,
    "use_pulse_efficient": False,
}
job = provider.runtime.run(program_id=program_id, options=options, inputs=runtime_inputs)
job_monitor(job)
print(f"Job id: {job.job_id()}")
print(f"Job status: {job.status()}")
result = job.result()


def op_adj_mat(op):
    adj_mat = np.zeros((op.num_qubits, op.num_qubits))
    for pauli, coeff in op.primitive.to_list():
        idx = tuple([i for i, c in enumerate(pauli[::-1]) if c == "Z"])
        adj_mat[idx[0], idx[1]], adj_mat[idx[1], idx[0]] = np.real(coeff), np.real(coeff)
    return adj_mat


def get_cost(bit_str, adj_mat):
    n, x = len(bit_str), [int(bit) for bit in bit_str[::-1]]
    cost = 0
    for i in range(n):
        for j in range(n):
            cost += adj_mat[i, j] * x[i] * (1 - x[j])
    return cost


def get_cut_distribution(result):
    adj_mat = op_adj_mat(PauliSumOp.from_list(result["inputs"]["operator"]))
    state_results = []
    for bit_str, amp in result["eigenstate"].items():
        state_results.append((bit_str, get_cost(bit_str, adj_mat), amp**2 * 100))
    vals = defaultdict(int)
    for res in state_results:
        vals[res[1]] += res[2]
    return dict(vals)


cut_vals = get_cut_distribution(result)
print("energies:", len(result["optimizer_history"]["energy"]))
print("cut distribution:", {float(k): round(float(v), 3) for k, v in sorted(cut_vals.items())})

from qiskit_optimization import QuadraticProgram  # noqa: E402
from qiskit_optimization.algorithms import MinimumEigenOptimizer  # noqa: E402
from qiskit_optimization.runtime import QAOAClient  # noqa: E402

qubo = QuadraticProgram()
qubo.binary_var("x")
qubo.binary_var("y")
qubo.binary_var("z")
qubo.minimize(linear=[1, -2, 3], quadratic={("x", "y"): 1, ("x", "z"): -1, ("y", "z"): 2})
print(qubo.prettyprint())
qaoa_mes = QAOAClient(
    provider=provider, backend=provider.get_backend("ibmq_qasm_simulator"), reps=2, alpha=0.75
)
qaoa = MinimumEigenOptimizer(qaoa_mes)
solved = qaoa.solve(qubo)
print(solved.prettyprint())
