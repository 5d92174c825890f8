"""Programs on a device snapshot, through the harness as ``runtime-kit run`` runs them:
circuit-runner transpiles for the device and its mthree mitigation calibrates against the
device's readout noise; a program that runs a circuit the device cannot run fails saying
which instruction."""

from __future__ import annotations

import json
from pathlib import Path

from qiskit import QuantumCircuit

from runtime_kit import RunnerResult
from runtime_kit.testing import run_program
from tests.builtins.test_hello_world_and_circuit_runner import CIRCUIT_RUNNER, IDEAL_BELL, distance


def bell() -> QuantumCircuit:
    circuit = QuantumCircuit(2)
    circuit.h(0)
    circuit.cx(0, 1)
    circuit.measure_all()
    return circuit


def test_circuit_runner_mitigates_the_devices_readout_errors() -> None:
    shots = 8000
    inputs = {"circuits": bell(), "shots": shots, "measurement_error_mitigation": True,
              "initial_layout": [3, 4]}  # fmt: skip
    record = run_program(CIRCUIT_RUNNER, inputs=inputs, backend="ibmq_manila", seed=7)
    assert record.status == "DONE", record.error
    assert record.backend == "ibmq_manila"
    experiment = record.result["results"][0]
    assert experiment["header"]["final_measurement_mapping"] == {"3": 0, "4": 1}
    result = RunnerResult.decode(json.dumps(record.result))
    raw = {bits: n / shots for bits, n in result.get_counts(0).items()}
    mitigated = result.get_quasiprobabilities(0).binary_probabilities(num_bits=2)
    raw_distance, mitigated_distance = distance(raw, IDEAL_BELL), distance(mitigated, IDEAL_BELL)
    print(f"Bell pair on ibmq_manila qubits 3, 4, {shots} shots: distance to 50/50 raw "
          f"{raw_distance:.4f}, mitigated {mitigated_distance:.4f}")  # fmt: skip
    assert mitigated_distance < raw_distance


def test_a_circuit_the_device_cannot_run_fails_the_run(tmp_path: Path) -> None:
    (tmp_path / "metadata.json").write_text('{"name": "bell", "max_execution_time": 60}')
    program = tmp_path / "program.py"
    program.write_text(
        "from qiskit import QuantumCircuit\n"
        "def main(backend, user_messenger, **kwargs):\n"
        "    circuit = QuantumCircuit(2, name='bell')\n"
        "    circuit.h(0)\n"
        "    circuit.cx(0, 1)\n"
        "    circuit.measure_all()\n"
        "    return backend.run(circuit).result().get_counts()\n"
    )
    record = run_program(tmp_path, backend="ibmq_montreal", seed=1)
    assert record.status == "ERROR"
    assert record.error.startswith(
        "CircuitNotRunnableError: circuit 0 ('bell'), instruction 0 (h on qubits [0]): h is not "
        "an instruction of ibmq_montreal"
    )
