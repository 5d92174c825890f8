"""Example 2: a Bell pair through circuit-runner, with measurement error mitigation."""

from qiskit import IBMQ, QuantumCircuit
from qiskit.providers.ibmq import RunnerResult

provider = IBMQ.load_account()
backend = provider.backend.ibmq_qasm_simulator

qc = QuantumCircuit(2, 2)
qc.h(0)
qc.cx(0, 1)
qc.measure_all()

params = provider.runtime.program(program_id="circuit-runner").parameters()
params.circuits = qc
params.measurement_error_mitigation = True

job = provider.runtime.run(
    program_id="circuit-runner",
    options={"backend_name": backend.name()},
    inputs=params,
)
print(f"job id: {job.job_id()}")
result = job.result(decoder=RunnerResult)
print(f"counts: {result.get_counts()}")
print(f"quasi-probabilities: {result.get_quasiprobabilities().binary_probabilities()}")
