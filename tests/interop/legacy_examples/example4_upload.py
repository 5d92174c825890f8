"""Example 4: upload a program of one's own, run it, delete it."""

from qiskit import IBMQ
from qiskit.providers.ibmq.runtime.exceptions import RuntimeProgramNotFound

provider = IBMQ.load_account()
program_id = provider.runtime.upload_program(data="my_vqe.py", metadata="my_vqe_metadata.json")
print(f"uploaded: {program_id}")
print(provider.runtime.program(program_id))

job = provider.runtime.run(
    program_id, options={"backend_name": "ibmq_qasm_simulator"}, inputs={"iterations": 20}
)
print(f"result: {job.result()}")

provider.runtime.delete_program(program_id)
try:
    provider.runtime.program(program_id, refresh=True)
except RuntimeProgramNotFound:
    print(f"deleted: {program_id}")
