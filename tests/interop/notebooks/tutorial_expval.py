"""Run in .venv-legacy, from this folder: the calls of IBM's tutorial
``tutorials/sample_expval_program/qiskit_runtime_expval_program.ipynb``, cell by cell in order,
written anew, only the service and token changed (~/.qiskit/qiskitrc), with our own
``sample_expval.py``.  Prints ``cell N: ...`` lines."""

import numpy as np

# cells 6-7: a 4-qubit GHZ-like circuit (and the notebook's local device, from qiskit.test.mock)
from qiskit import QuantumCircuit
from qiskit.providers.ibmq.runtime import UserMessenger
from qiskit.test.mock import FakeSantiago

msg = UserMessenger()
backend = FakeSantiago()
qc = QuantumCircuit(4)
qc.h(2)
qc.cx(2, 1)
qc.cx(1, 0)
qc.cx(2, 3)
qc.measure_all()
print(f"cell 7: {dict(qc.count_ops())}")
print("cell 8: not run: the program runs locally only with mthree installed next to the client")

# cell 11: the metadata
meta = {
    "name": "sample-expval",
    "description": "Expectation values of diagonal operators from circuits' counts.",
    "max_execution_time": 1000,
    "spec": {
        "parameters": {
            "$schema": "https://json-schema.org/draft/2019-09/schema",
            "properties": {
                "circuits": {"description": "One or more circuits.", "type": ["array", "object"]},
                "expectation_operators": {
                    "description": "What to evaluate.",
                    "type": ["string", "object", "array"],
                },
                "shots": {"description": "Shots per circuit.", "type": "integer"},
                "transpiler_config": {"description": "transpile() options.", "type": "object"},
                "run_config": {"description": "backend.run() options.", "type": "object"},
                "skip_transpilation": {"description": "As given.", "type": "boolean"},
                "return_stddev": {"description": "Bounds too.", "type": "boolean"},
                "use_measurement_mitigation": {"description": "With mthree.", "type": "boolean"},
            },
            "required": ["circuits"],
        },
        "return_values": {
            "$schema": "https://json-schema.org/draft/2019-09/schema",
            "description": "The expectation values.",
            "type": "array",
        },
    },
}

# cells 13-15: the provider of group "deployed"; upload from the file
from qiskit import IBMQ  # noqa: E402

IBMQ.load_account()
provider = IBMQ.get_provider(group="deployed")
print(f"cell 14: {provider}")
program_id = provider.runtime.upload_program(data="sample_expval.py", metadata=meta)
print(f"cell 15: {program_id}")


# cell 19: a runner that calls the program by its name
def expectation_value_runner(
    backend,
    circuits,
    expectation_operators="",
    shots=8192,
    transpiler_config={},  # noqa: B006  (the notebook's defaults)
    run_config={},  # noqa: B006
    skip_transpilation=False,
    return_stddev=False,
    use_measurement_mitigation=False,
):
    if not isinstance(backend, str):
        backend = backend.name()
    options = {"backend_name": backend}
    inputs = {
        "circuits": circuits,
        "expectation_operators": expectation_operators,
        "shots": shots,
        "transpiler_config": transpiler_config,
        "run_config": run_config,
        "return_stddev": return_stddev,
        "skip_transpilation": skip_transpilation,
        "use_measurement_mitigation": use_measurement_mitigation,
    }
    return provider.runtime.run("sample-expval", options=options, inputs=inputs)


# cells 21-26: two GHZ states, their all-zeros and all-ones projectors and parity
backend = provider.backend.ibmq_qasm_simulator
job = expectation_value_runner(backend, qc, [{"0000": 1}, {"1111": 1}, "ZZZZ"])
print(f"cell 22: {job.result().tolist()}")
qc2 = QuantumCircuit(3)
qc2.h(2)
qc2.cx(2, 1)
qc2.cx(1, 0)
qc2.measure_all()
job2 = expectation_value_runner(backend, qc2, [{"000": 1}, {"111": 1}, "ZZZ"])
print(f"cell 26: {job2.result().tolist()}")
print(f"cell 26: program {job2.program_id}")


# cells 28-34: quantum volume circuits and their heavy-output projectors (local)
def heavy_projector(qv_probs):
    median = np.median(list(qv_probs.values()))
    return {key: 1 for key, value in qv_probs.items() if value > median}


from qiskit.circuit.library import QuantumVolume  # noqa: E402
from qiskit.quantum_info import Statevector  # noqa: E402

qv_circs = [QuantumVolume(5) for _ in range(10)]
ideal_probs = [Statevector.from_instruction(circ).probabilities_dict() for circ in qv_circs]
heavy_projectors = [heavy_projector(probs) for probs in ideal_probs]
circs = [circ.measure_all(inplace=False) for circ in qv_circs]
print(f"cell 34: {len(circs)} circuits, {len(heavy_projectors)} projectors")

# cells 36-38: the same on a device of 2021, by its name (its snapshot, with its noise)
try:
    backend = provider.backend.ibmq_manila
except AttributeError as exc:
    print(f"cell 36: AttributeError: {exc}")
else:
    transpiler_config = {
        "optimization_level": 3,
        "layout_method": "sabre",
        "routing_method": "sabre",
    }
    job3 = expectation_value_runner(
        backend, circs, heavy_projectors, transpiler_config=transpiler_config
    )
    print(f"cell 38: {job3.result().tolist()}")
