"""Example 3: interim results of hello-world through a callback, as they are published."""

from qiskit import IBMQ

provider = IBMQ.load_account()


def interim_result_callback(job_id, interim_result):
    print(f"interim result: {interim_result}")


options = {"backend_name": "ibmq_qasm_simulator"}
job = provider.runtime.run(
    program_id="hello-world",
    options=options,
    inputs={"iterations": 3},
    callback=interim_result_callback,
)
print(f"job id: {job.job_id()}")
print(f"result: {job.result()}")
