"""Run in .venv-ibm-runtime-0.9: qiskit-ibm-runtime 0.9.4's QiskitRuntimeService on the
``ibm_quantum`` channel, unchanged, against a runtime-kit service.  Prints one JSON object.

    python runtime09_client.py URL TOKEN        (URL: <service>/api)
"""

import json
import sys

from qiskit import QuantumCircuit
from qiskit_ibm_runtime import QiskitRuntimeService
from qiskit_ibm_runtime.utils.runner_result import RunnerResult

url, token = sys.argv[1:3]
service = QiskitRuntimeService(channel="ibm_quantum", token=token, url=url)
seen = {"channel": service.channel}
seen["programs"] = [program.program_id for program in service.programs()]
seen["program"] = service.program("circuit-runner").name
seen["backends"] = [backend.name for backend in service.backends()]
noisy = service.backend("noisy-5")
seen["noisy-5"] = [
    noisy.configuration().n_qubits,
    noisy.status().operational,
    noisy.properties().readout_error(0),
]
montreal = service.backend("ibmq_montreal")
seen["ibmq_montreal"] = [
    montreal.configuration().n_qubits,
    montreal.configuration().simulator,
    montreal.properties().t1(0),
]

streamed = []
job = service.run(
    "hello-world",
    inputs={"iterations": 3},
    options={"backend": "ibmq_qasm_simulator"},
    callback=lambda job_id, message: streamed.append(message),
)
seen["result"] = job.result(timeout=120)
job.wait_for_final_state(timeout=60)
seen["streamed"] = streamed
seen["status"] = job.status().name
seen["jobs"] = [listed.job_id() for listed in service.jobs(program_id="hello-world")]
seen["job"] = [job.job_id(), service.job(job.job_id()).program_id]

bell = QuantumCircuit(2, 2)
bell.h(0)
bell.cx(0, 1)
bell.measure([0, 1], [0, 1])
inputs = {"circuits": bell, "shots": 4000, "measurement_error_mitigation": True}
runner = service.run("circuit-runner", inputs, options={"backend": "noisy-5"})
result = runner.result(decoder=RunnerResult, timeout=120)
seen["counts"] = result.get_counts()
seen["quasi"] = result.get_quasiprobabilities().binary_probabilities()
print(json.dumps(seen))
