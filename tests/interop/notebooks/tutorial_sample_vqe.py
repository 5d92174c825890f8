"""Run in .venv-legacy, from the folder that holds ``sample_vqe.py``: the calls of IBM's
tutorial ``tutorials/sample_vqe_program/qiskit_runtime_vqe_program.ipynb``
(Qiskit-Partners/qiskit-runtime), cell by cell in order, written anew, only the service and
token changed (~/.qiskit/qiskitrc).  ``sample_vqe.py`` is ours (the same interface: a
Hamiltonian as (coefficient, Pauli string) pairs, an ``n_local`` ansatz by name, SPSA, mthree,
``bind_parameters``, an ``OptimizeResult``), written for qiskit-terra 0.23 and declaring so in
its ``# /// script`` block: it runs in an environment of its own on the service.  Prints
``cell N: ...`` lines."""

import numpy as np

# cells 5-7: the Hamiltonian and the ansatz by name
H = [(1, "XX"), (1, "YY"), (1, "ZZ")]
import qiskit.circuit.library.n_local as lib_local  # noqa: E402

ansatz = getattr(lib_local, "EfficientSU2")  # noqa: B009  (as the notebook has it)
print(f"cell 7: {ansatz.__name__}")

# cells 14-18: the program's main, run locally, needs mthree next to the client
try:
    import mthree  # noqa: F401
except ImportError as exc:
    print(f"cell 14: {type(exc).__name__}: {exc}")

# cells 21-27: the metadata
meta = {
    "name": "sample-vqe",
    "description": "A sample VQE program.",
    "max_execution_time": 100000,
    "spec": {},
}
meta["spec"]["parameters"] = {
    "$schema": "https://json-schema.org/draft/2019-09/schema",
    "properties": {
        "hamiltonian": {"description": "Hamiltonian to minimise.", "type": "array"},
        "ansatz": {"description": "Ansatz by name.", "type": "string", "default": "EfficientSU2"},
        "ansatz_config": {"description": "The ansatz's options.", "type": "object"},
        "optimizer": {"description": "Optimizer.", "type": "string", "default": "SPSA"},
        "x0": {"description": "Initial parameters.", "type": "array"},
        "optimizer_config": {"description": "The optimizer's options.", "type": "object"},
        "shots": {"description": "Shots per circuit.", "type": "integer"},
        "use_measurement_mitigation": {
            "description": "Mitigate readout.",
            "type": "boolean",
            "default": False,
        },
    },
    "required": ["hamiltonian"],
}
meta["spec"]["return_values"] = {
    "$schema": "https://json-schema.org/draft/2019-09/schema",
    "description": "Final result in SciPy optimizer format",
    "type": "object",
}
meta["spec"]["interim_results"] = {
    "$schema": "https://json-schema.org/draft/2019-09/schema",
    "description": "Parameter vector at current optimization step.",
    "type": "array",
}

# cells 29-35: the provider of group "deployed", the upload from the file, the program
from qiskit import IBMQ  # noqa: E402

print(f"cell 29: {IBMQ.load_account()}")
provider = IBMQ.get_provider(group="deployed")
program_id = provider.runtime.upload_program(data="sample_vqe.py", metadata=meta)
print(f"cell 32: {program_id}")
prog = provider.runtime.program(program_id)
print("cell 35: " + " | ".join(str(prog).splitlines()[:2]))

# cells 39-44: run it on ibmq_qasm_simulator: a plain dict
backend = provider.backend.ibmq_qasm_simulator
options = {"backend_name": backend.name()}
inputs = {}
inputs["hamiltonian"] = H
inputs["optimizer_config"] = {"maxiter": 10}
job = provider.runtime.run(program_id, options=options, inputs=inputs)
result = job.result()
print(f"cell 44: {type(result).__name__} {sorted(result)} nit {result['nit']}")
print(f"cell 44: x {type(result['x']).__name__} {np.shape(result['x'])}")

# cells 47-51: with a callback: one interim result per iteration
interm_results = []


def vqe_callback(job_id, data):
    interm_results.append(data)


job2 = provider.runtime.run(program_id, options=options, inputs=inputs, callback=vqe_callback)
result2 = job2.result()
print(f"cell 50: nit {result2['nit']}")
print(f"cell 51: {len(interm_results)} of {sorted({len(point) for point in interm_results})}")
print(f"cell 51: last is x {np.allclose(interm_results[-1], result2['x'])}")

# cells 53-55: a result decoder that makes an OptimizeResult
from qiskit.providers.ibmq.runtime import ResultDecoder  # noqa: E402
from scipy.optimize import OptimizeResult  # noqa: E402


class VQEResultDecoder(ResultDecoder):
    @classmethod
    def decode(cls, data):
        data = super().decode(data)
        return OptimizeResult(data)


job3 = provider.runtime.run(program_id, options=options, inputs=inputs)
decoded = job3.result(decoder=VQEResultDecoder)
print(f"cell 55: {type(decoded).__name__} fun {type(decoded.fun).__name__}")


# cells 57-64: a job wrapper and a runner that checks its inputs
class RuntimeJobWrapper:
    def __init__(self):
        self._job = None
        self._decoder = VQEResultDecoder
        self.interm_results = []

    def _callback(self, job_id, xk):
        self.interm_results.append(xk)

    def __getattr__(self, attr):
        if attr == "result":
            return self.result
        if attr in dir(self._job):
            return getattr(self._job, attr)
        raise AttributeError(f"Class does not have {attr}.")

    def result(self):
        return self._job.result(decoder=self._decoder)


def vqe_runner(
    backend,
    hamiltonian,
    ansatz="EfficientSU2",
    ansatz_config={},  # noqa: B006  (the notebook's defaults)
    x0=None,
    optimizer="SPSA",
    optimizer_config={"maxiter": 100},  # noqa: B006
    shots=8192,
    use_measurement_mitigation=False,
):
    options = {"backend_name": backend.name()}
    inputs = {}
    num_qubits = len(H[0][1])
    for idx, ham in enumerate(hamiltonian):
        if len(ham[1]) != num_qubits:
            raise ValueError(f"Number of qubits in Hamiltonian term {idx} does not match")
    inputs["hamiltonian"] = hamiltonian
    ansatz_circ = getattr(lib_local, ansatz, None)
    if not ansatz_circ:
        raise ValueError(f"Ansatz {ansatz} not in n_local circuit library.")
    inputs["ansatz"] = ansatz
    inputs["ansatz_config"] = ansatz_config
    if x0:
        x0 = np.asarray(x0)
        num_params = ansatz_circ(num_qubits, **ansatz_config).num_parameters
        if x0.shape[0] != num_params:
            raise ValueError("Length of x0 does not match number of params in ansatz")
    inputs["x0"] = x0
    inputs["optimizer"] = optimizer
    inputs["optimizer_config"] = optimizer_config
    inputs["shots"] = shots
    inputs["use_measurement_mitigation"] = use_measurement_mitigation
    rt_job = RuntimeJobWrapper()
    job = provider.runtime.run(
        program_id, options=options, inputs=inputs, callback=rt_job._callback
    )
    rt_job._job = job
    return rt_job


job4 = vqe_runner(backend, H, optimizer_config={"maxiter": 15})
result4 = job4.result()
print(f"cell 62: {type(result4).__name__} nit {result4.nit} fun {result4.fun}")
print(f"cell 64: {len(job4.interm_results)}")
