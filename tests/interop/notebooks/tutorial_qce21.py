"""Run in .venv-legacy: the calls of IBM's QCE21 tutorial
``extras/qce21_runtime_tutorial.ipynb`` (Qiskit-Partners/qiskit-runtime), cell by cell in order,
written anew, only the service and token changed (~/.qiskit/qiskitrc, ``QE_TOKEN``/``QE_URL``
for the HTTP cells).  Plots are not drawn (no matplotlib here): their data is printed.  Where
a cell cannot run as written for a reason of the client (qiskit-ibmq-provider 0.20.2 wants
program text as ``str`` and has no ``name=``), the error is printed and the cell then runs as
it was meant (``meant:`` lines), so that the cells after it can run; the program text cell
77 uploads as meant declares the Qiskit it was written for (a ``# /// script`` block), which
nothing the notebook sends could say.  Prints ``cell N: ...``."""

import json
import os
import time

import numpy as np

# cells 6-12: a Bell circuit on the local simulator
from qiskit import QuantumCircuit, transpile

circuit = QuantumCircuit(2, 2)
circuit.h(0)
circuit.cx(0, 1)
circuit.measure([0, 1], [0, 1])
print("cell 6: " + str(circuit.draw()).splitlines()[0])
from qiskit.providers.aer import AerSimulator  # noqa: E402

simulator = AerSimulator()
compiled_circuit = transpile(circuit, simulator)
job = simulator.run(compiled_circuit, shots=1000)
result = job.result()
print(f"cell 12: local counts {result.get_counts()}")

# cells 18-22: the same on the service's simulator, through the provider's job API
from qiskit import IBMQ  # noqa: E402

provider = IBMQ.load_account()
backend = provider.backend.ibmq_qasm_simulator
compiled_circuit = transpile(circuit, backend)
job = backend.run(compiled_circuit)
result = job.result()
print(f"cell 22: counts {result.get_counts()}")


# cell 32: the hello-world program, defined locally
def main(backend, user_messenger, iterations):
    return "All done!"


# cells 37-39: programs
print("cell 37: " + str(provider.runtime.program("hello-world")).splitlines()[0])
provider.runtime.pprint_programs(refresh=True)

# cells 44-50: hello-world with a callback
runtime_inputs = {"iterations": 2}
params = provider.runtime.program("hello-world").parameters()
params.iterations = 2
options = {"backend_name": "ibmq_qasm_simulator"}


def interim_result_callback(job_id, interim_result):
    print(f"interim result: {interim_result}")


job = provider.runtime.run(
    program_id="hello-world",
    options=options,
    inputs=runtime_inputs,
    callback=interim_result_callback,
)
print(f"cell 49: {job.job_id()}")
result = job.result()
print(result)
time.sleep(1)  # (the notebook's next cell comes later: the stream has closed by then)

# cell 53: backends that meet the program's requirements
program = provider.runtime.program("hello-world")
print(f"cell 53: requirements {program.backend_requirements}")
backends = provider.backends(**program.backend_requirements)
print(f"cell 53: backends {[b.name() for b in backends]}")

# cells 57-58: the job again, and the latest two
retrieved_job = provider.runtime.job(job.job_id())
print(f"cell 57: {retrieved_job.job_id()} of {retrieved_job.program_id}")
print(f"cell 57: on {retrieved_job.backend()} with {retrieved_job.inputs}")
print(f"cell 58: {[rjob.job_id() for rjob in provider.runtime.jobs(limit=2)]}")

# cells 64-74: v1 metadata, a parameterized circuit, a program run locally
metadata = {
    "name": "ieee-runtime-tutorial",
    "description": "Sweeps an RZ angle between two Hadamards and returns the counts.",
    "max_execution_time": 300,
    "version": "1.0",
    "parameters": [
        {"name": "angles", "description": "The angles.", "type": "list", "required": True}
    ],
    "return_values": [{"name": "-", "description": "The counts per angle.", "type": "list"}],
    "interim_results": [
        {"name": "angle", "description": "The angle.", "type": "float"},
        {"name": "counts", "description": "Its counts.", "type": "dict"},
    ],
}
from qiskit.circuit import Parameter  # noqa: E402


def equator_circuit():
    angle = Parameter("angle")
    swept = QuantumCircuit(1, 1)
    swept.h(0)
    swept.rz(angle, 0)
    swept.h(0)
    swept.measure(0, 0)
    return swept


def main(backend, user_messenger, angles):  # noqa: F811  (the notebook defines a second main)
    swept = equator_circuit()
    (angle,) = swept.parameters
    counts_per_angle = []
    for value in angles:
        bound = swept.bind_parameters({angle: value})  # qiskit-terra 0.23's API
        counts = backend.run(transpile(bound, backend=backend)).result().get_counts()
        user_messenger.publish({"angle": value, "counts": counts})
        counts_per_angle.append(counts)
    return counts_per_angle


from qiskit import Aer  # noqa: E402
from qiskit.providers.ibmq.runtime import UserMessenger  # noqa: E402

aer = Aer.get_backend("qasm_simulator")
local = main(aer, UserMessenger(), angles=np.linspace(0, 2 * np.pi, 2))
print(f"cell 74: local {local}")

# cells 76-90: upload the program, run it by its name, delete it by its name
runtime_program = """
from qiskit import QuantumCircuit, transpile
from qiskit.circuit import Parameter


def main(backend, user_messenger, angles):
    angle = Parameter("angle")
    swept = QuantumCircuit(1, 1)
    swept.h(0)
    swept.rz(angle, 0)
    swept.h(0)
    swept.measure(0, 0)
    counts_per_angle = []
    for value in angles:
        bound = swept.bind_parameters({angle: value})
        counts = backend.run(transpile(bound, backend=backend)).result().get_counts()
        user_messenger.publish({"angle": value, "counts": counts})
        counts_per_angle.append(counts)
    return counts_per_angle
"""
try:
    program_id = provider.runtime.upload_program(data=runtime_program.encode(), metadata=metadata)
except TypeError as exc:
    print(f"cell 77: TypeError: {exc}")
    # the program calls bind_parameters (qiskit-terra 0.23's API, gone in qiskit 2): the
    # text it uploads says so in a # /// script block (PEP 723), which 0.20.2 carries as is
    declared = (
        "# /// script\n"
        '# dependencies = ["qiskit-terra==0.23.*", "qiskit-aer==0.12.*", "numpy<1.24",'
        ' "scipy<1.12"]\n'
        "# ///\n"
    )
    program_id = provider.runtime.upload_program(data=declared + runtime_program, metadata=metadata)
    print(f"cell 77: meant: {program_id}")
print("cell 81: " + str(provider.runtime.program(program_id)).splitlines()[0])
theta_range = np.linspace(0, 2 * np.pi, 12)
runtime_inputs = {"angles": theta_range}
options = {"backend_name": "ibmq_qasm_simulator"}
job = provider.runtime.run(
    program_id="ieee-runtime-tutorial", options=options, inputs=runtime_inputs
)
print(f"cell 83: {job.job_id()}")
from qiskit.providers.ibmq.runtime import ResultDecoder  # noqa: E402
from qiskit.providers.ibmq.runtime.exceptions import RuntimeJobFailureError  # noqa: E402

try:
    final_result = job.result()
    shots = sorted({sum(counts.values()) for counts in final_result})
    print(f"cell 83: final result: {len(final_result)} counts of {shots} shots")
    print(f"cell 83: first {final_result[0]}")
except RuntimeJobFailureError as exc:
    print(f"cell 83: RuntimeJobFailureError: {str(exc).splitlines()[-1]}")
print(f"cell 83: program {job.program_id}")


class EquatorResult(ResultDecoder):
    def __init__(self, data):
        self._data = data

    @classmethod
    def decode(cls, data):
        return cls(super().decode(data))


try:
    print(f"cell 86: {type(job.result(decoder=EquatorResult)).__name__}")
except RuntimeJobFailureError:
    print("cell 86: RuntimeJobFailureError")
provider.runtime.delete_program("ieee-runtime-tutorial")
print("cell 90: deleted")


# cells 96-105: a custom class through the wire format
class Carried:
    def __init__(self, data):
        self._data = data

    def to_json(self):
        return json.dumps({"data": self._data})

    @classmethod
    def from_json(cls, json_str):
        return cls(**json.loads(json_str))


runtime_program = """
import json


class Carried:
    def __init__(self, data):
        self.data = data

    @classmethod
    def from_json(cls, text):
        return cls(**json.loads(text))


def main(backend, user_messenger, data):
    rebuilt = Carried.from_json(data)
    return f"received a {type(data)}; from_json() made it a {type(rebuilt)}"
"""
try:
    program_id = provider.runtime.upload_program(
        name="ieee-runtime-tutorial2", data=runtime_program.encode(), metadata=metadata
    )
except TypeError as exc:
    print(f"cell 101: TypeError: {exc}")
    program_id = provider.runtime.upload_program(
        data=runtime_program, metadata={**metadata, "name": "ieee-runtime-tutorial2"}
    )
    print(f"cell 101: meant: {program_id}")
program_inputs = {"data": Carried("hello world!")}
job = provider.runtime.run(
    program_id=program_id, options={"backend_name": "ibmq_qasm_simulator"}, inputs=program_inputs
)
print(f"cell 103: {job.job_id()}")
print(f"cell 103: {job.result()}")
provider.runtime.delete_program(program_id)
print("cell 105: deleted")

# cells 111-116: the runtime API over HTTP
import requests  # noqa: E402

headers = {"Authorization": f"Bearer {os.environ['QE_TOKEN']}", "Content-Type": "application/json"}
RUNTIME_API_URL = os.environ["RUNTIME_API_URL"]
response = requests.get(RUNTIME_API_URL + "programs", headers=headers)
print(f"cell 113: status {response.status_code}")
list_of_programs = response.json()
try:
    for program in list_of_programs:
        print(f"- {program['name']}: {program['description']} ")
except TypeError as exc:
    print(f"cell 113: TypeError: {exc}")
runtime_inputs = {"iterations": 2}
params = json.dumps(
    {
        "programId": "hello-world",
        "hub": "ibm-q",
        "group": "open",
        "project": "main",
        "backend": "ibmq_qasm_simulator",
        "params": [json.dumps(runtime_inputs)],
    }
)
response = requests.post(RUNTIME_API_URL + "jobs", data=params, headers=headers)
print(f"cell 115: status {response.status_code}")
job_id = response.json()["id"]
waits = 0
while True:
    response = requests.get(RUNTIME_API_URL + "jobs/" + job_id + "/results", headers=headers)
    if response.status_code == 200:
        print(f"Final Result: {response.text}")
        break
    elif response.status_code == 204:
        waits += 1
        time.sleep(0.2)  # the notebook waits 3 s between polls
    else:
        print(f"Error:{response.status_code}")
        break
print(f"cell 116: waited {waits > 0}")
