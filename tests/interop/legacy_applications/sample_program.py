"""IBM's first public program as qiskit-ibmq-provider 0.20.2's users and its own integration
suite met it: described, its source refused to a user who does not own it, run with a
callback."""

from qiskit import IBMQ
from qiskit.providers.ibmq.exceptions import IBMQNotAuthorizedError

provider = IBMQ.load_account()
program = provider.runtime.program("sample-program")
print(program)
try:
    print(f"data: {program.data[:40]}")
except IBMQNotAuthorizedError as error:
    print(f"data: {error}")
job = provider.runtime.run(
    "sample-program",
    options={"backend_name": "ibmq_qasm_simulator"},
    inputs={"iterations": 2},
    callback=lambda job_id, message: print(f"interim: {message}"),
)
print(f"result: {job.result()}")
