"""A Qiskit Function: reads its arguments, samples a GHZ circuit on the job's backend, and
saves the counts as its result.  Runs unchanged on IBM's serverless gateway and on
runtime-kit (`runtime-kit run .`, `runtime-kit serve`)."""

from qiskit import QuantumCircuit, transpile
from qiskit.primitives import BackendSamplerV2
from qiskit_serverless import (
    Job,
    get_arguments,
    get_logger,
    get_runtime_service,
    save_result,
    update_status,
)

logger = get_logger()
arguments = get_arguments()
shots = arguments["shots"]
qubits = arguments.get("qubits", 2)
logger.info("sampling a %d-qubit GHZ state, %d shots", qubits, shots)

update_status(Job.MAPPING)
backend = get_runtime_service().backend()
circuit = QuantumCircuit(qubits)
circuit.h(0)
for target in range(1, qubits):
    circuit.cx(0, target)
circuit.measure_all()
isa_circuit = transpile(circuit, backend)

update_status(Job.EXECUTING_QPU)
result = BackendSamplerV2(backend=backend).run([isa_circuit], shots=shots).result()

update_status(Job.POST_PROCESSING)
counts = result[0].data.meas.get_counts()
logger.info("%d distinct outcomes", len(counts))
save_result({"counts": counts, "shots": shots})
