"""Run in .venv-legacy: the calls of IBM's tutorial ``tutorials/00_introduction.ipynb``
(Qiskit-Partners/qiskit-runtime), cell by cell in order, written anew, only the service and
token changed (~/.qiskit/qiskitrc).  Prints ``cell N: ...`` lines."""

from qiskit import IBMQ

# cell 2: the provider of project "qiskit-runtime"
IBMQ.load_account()
provider = IBMQ.get_provider(project="qiskit-runtime")
print(f"cell 2: {provider}")

# cells 7-9: the programs, and hello-world's metadata
provider.runtime.pprint_programs()
program = provider.runtime.program("hello-world")
print(program)


# cells 14-16: hello-world on ibmq_montreal, three iterations, with a callback
def interim_result_callback(job_id, interim_result):
    print(f"interim result: {interim_result}")


backend = provider.get_backend("ibmq_montreal")
program_inputs = {"iterations": 3}
options = {"backend_name": backend.name()}
job = provider.runtime.run(
    program_id="hello-world",
    options=options,
    inputs=program_inputs,
    callback=interim_result_callback,
)
print(f"job id: {job.job_id()}")
result = job.result()
print(result)

# cell 21: the job again
retrieved_job = provider.runtime.job(job.job_id())
print(
    f"cell 21: Job {retrieved_job.job_id()} is an execution instance of runtime program "
    f"{retrieved_job.program_id}."
)
print(
    f"cell 21: This job ran on backend {retrieved_job.backend()} and had input parameters "
    f"{retrieved_job.inputs}"
)

# cell 23: the latest job
retrieved_jobs = provider.runtime.jobs(limit=1)
for rjob in retrieved_jobs:
    print(f"cell 23: {rjob.job_id()}")

# cell 26: delete it
provider.runtime.delete_job(job.job_id())
print("cell 26: deleted")
