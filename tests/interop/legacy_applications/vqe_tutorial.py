"""tutorials/vqe.ipynb of Qiskit-Partners/qiskit-runtime, its runtime cells in order: the
Hamiltonian and ansatz, qiskit-nature's VQEProgram with an SPSA dict (50 iterations) and
readout mitigation, the optimizer history, then the raw ``provider.runtime.run`` of the vqe
program with a callback that unpacks each interim result.  Substituted: the account
(``IBMQ.load_account()`` from this service's qiskitrc) and the backend (ibmq_montreal ->
ibmq_qasm_simulator); the local VQE on BasicAer (no service involved) is left out."""

import numpy as np
from qiskit import IBMQ
from qiskit.circuit.library import EfficientSU2
from qiskit.opflow import I, Z

num_qubits = 4
hamiltonian = (Z ^ Z) ^ (I ^ (num_qubits - 2))
target_energy = -1
ansatz = EfficientSU2(num_qubits, reps=1, entanglement="linear", insert_barriers=True)
np.random.seed(10)
initial_point = np.random.random(ansatz.num_parameters)

provider = IBMQ.load_account()
backend = provider.get_backend("ibmq_qasm_simulator")

intermediate_info = {"nfev": [], "parameters": [], "energy": [], "stddev": []}


def callback(nfev, parameters, energy, stddev):
    intermediate_info["nfev"].append(nfev)
    intermediate_info["parameters"].append(parameters)
    intermediate_info["energy"].append(energy)
    intermediate_info["stddev"].append(stddev)


from qiskit_nature.runtime import VQEProgram  # noqa: E402

optimizer = {"name": "SPSA", "maxiter": 50}
runtime_vqe = VQEProgram(
    ansatz=ansatz,
    optimizer=optimizer,
    initial_point=initial_point,
    provider=provider,
    backend=backend,
    shots=1024,
    measurement_error_mitigation=True,
    callback=callback,
)
runtime_result = runtime_vqe.compute_minimum_eigenvalue(hamiltonian)
print("Eigenvalue:", runtime_result.eigenvalue)
print("Target:", target_energy)
print("Mean error:", np.mean(intermediate_info["stddev"]))
print("callbacks:", len(intermediate_info["nfev"]))
history = runtime_result.optimizer_history
loss = history["loss"]
timestamps = history["time"]
runtimes = np.concatenate(([0], np.diff(timestamps)))
print("iterations:", len(loss))
print("Total time taken:", f"{np.sum(runtimes) / 60:.2f}min")

vqe_inputs = {
    "ansatz": ansatz,
    "operator": hamiltonian,
    "optimizer": {"name": "SPSA", "maxiter": 5},
    "initial_point": initial_point,
    "measurement_error_mitigation": True,
    "shots": 1024,
}
backend_options = {"backend_name": backend.name()}
intermediate_info = {"nfev": [], "parameters": [], "energy": [], "stddev": []}


def raw_callback(*args):
    _job_id, (nfev, parameters, energy, stddev) = args
    intermediate_info["nfev"].append(nfev)
    intermediate_info["parameters"].append(parameters)
    intermediate_info["energy"].append(energy)
    intermediate_info["stddev"].append(stddev)


job = provider.runtime.run(
    program_id="vqe", inputs=vqe_inputs, options=backend_options, callback=raw_callback
)
print("Job ID:", job.job_id())
result = job.result()
print(f"Reached {result['optimal_value']} after {result['optimizer_evals']} evaluations.")
print("Available keys:", list(result.keys()))
print("raw callbacks:", len(intermediate_info["nfev"]), result["cost_function_evals"])
