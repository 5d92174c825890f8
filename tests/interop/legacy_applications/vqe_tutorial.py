"""tutorials/vqe.ipynb of Qiskit-Partners/qiskit-runtime, cell by cell in order, written anew:
the Hamiltonian and ansatz, the local VQE (on the client's own simulator), the provider of
project "qiskit-runtime" and ``ibmq_montreal`` (its device snapshot on the service),
qiskit-nature's VQEProgram with an SPSA dict (50 iterations) and readout mitigation, the
optimizer history, then the raw ``provider.runtime.run`` of the vqe program with a callback
that unpacks each interim result.  Only the account changes (``IBMQ.load_account()`` from
this service's qiskitrc); the plot's data is printed (no matplotlib here).  Prints
``label: value`` lines, the notebook's own where it prints."""

import numpy as np

# cells 3-5: the Hamiltonian
from qiskit.opflow import I, Z

num_qubits = 4
hamiltonian = (Z ^ Z) ^ (I ^ (num_qubits - 2))
target_energy = -1

# cell 8: the ansatz
from qiskit.circuit.library import EfficientSU2  # noqa: E402

ansatz = EfficientSU2(num_qubits, reps=1, entanglement="linear", insert_barriers=True)

# cells 11-13: optimizer, initial point, callback
from qiskit.algorithms.optimizers import SPSA  # noqa: E402

optimizer = SPSA(maxiter=50)
np.random.seed(10)
initial_point = np.random.random(ansatz.num_parameters)
intermediate_info = {"nfev": [], "parameters": [], "energy": [], "stddev": []}


def callback(nfev, parameters, energy, stddev):
    intermediate_info["nfev"].append(nfev)
    intermediate_info["parameters"].append(parameters)
    intermediate_info["energy"].append(energy)
    intermediate_info["stddev"].append(stddev)


# cells 15-19: the local VQE
from qiskit.algorithms import VQE  # noqa: E402
from qiskit.providers.basicaer import QasmSimulatorPy  # noqa: E402

local_vqe = VQE(
    ansatz=ansatz,
    optimizer=optimizer,
    initial_point=initial_point,
    quantum_instance=QasmSimulatorPy(),
    callback=callback,
)
local_result = local_vqe.compute_minimum_eigenvalue(hamiltonian)
print("local Eigenvalue:", local_result.eigenvalue)
print("local Mean error:", np.mean(intermediate_info["stddev"]))

# cells 21-25: the provider and ibmq_montreal; the callback reset
from qiskit import IBMQ  # noqa: E402

IBMQ.load_account()
provider = IBMQ.get_provider(project="qiskit-runtime")
backend = provider.get_backend("ibmq_montreal")
intermediate_info = {"nfev": [], "parameters": [], "energy": [], "stddev": []}

# cells 27-31: VQEProgram
measurement_error_mitigation = True
from qiskit_nature.runtime import VQEProgram  # noqa: E402

optimizer = {"name": "SPSA", "maxiter": 50}
runtime_vqe = VQEProgram(
    ansatz=ansatz,
    optimizer=optimizer,
    initial_point=initial_point,
    provider=provider,
    backend=backend,
    shots=1024,
    measurement_error_mitigation=measurement_error_mitigation,
    callback=callback,
)
runtime_result = runtime_vqe.compute_minimum_eigenvalue(hamiltonian)
print("Eigenvalue:", runtime_result.eigenvalue)
print("Target:", target_energy)
print("Mean error:", np.mean(intermediate_info["stddev"]))
print("callbacks:", len(intermediate_info["nfev"]))

# cells 33-37: the optimizer's history
history = runtime_result.optimizer_history
loss = history["loss"]
timestamps = history["time"]
runtimes = np.concatenate(([0], np.diff(timestamps)))
runtimes_in_min = runtimes / 60
print(f"Total time taken: {np.sum(runtimes_in_min):.2f}min")
print(f"Median time of the iterations: {np.median(runtimes):.2f}s")
print("iterations:", len(loss))
print("loss:", [float(value) for value in loss])

# cells 41-50: the vqe program called directly
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
print("backend:", provider.runtime.job(job.job_id()).backend())
