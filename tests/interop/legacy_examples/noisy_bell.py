"""The Bell pair on the noisy-5 backend through provider.run_circuits (circuit-runner):
raw counts and mitigated quasi-probabilities."""

from qiskit import IBMQ, QuantumCircuit

provider = IBMQ.load_account()
qc = QuantumCircuit(2, 2)
qc.h(0)
qc.cx(0, 1)
qc.measure_all()

job = provider.run_circuits(
    qc, backend_name="noisy-5", shots=20000, measurement_error_mitigation=True
)
result = job.result()
print(f"counts: {result.get_counts()}")
print(f"quasi-probabilities: {result.get_quasiprobabilities().binary_probabilities()}")
