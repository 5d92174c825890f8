"""The built-in ``hello-world`` and ``circuit-runner`` programs, run through the local harness:
their examples, the legacy inputs, and measurement error mitigation on a noisy backend."""

from __future__ import annotations

import json

import pytest
from qiskit import QuantumCircuit
from qiskit.exceptions import QiskitError

from runtime_kit import InputValueError, RunnerResult
from runtime_kit.testing import run_program
from tests.conftest import ROOT

BUILTINS = ROOT / "runtime_kit" / "builtin_programs"
HELLO_WORLD, CIRCUIT_RUNNER = BUILTINS / "hello-world", BUILTINS / "circuit-runner"
IDEAL_BELL = {"00": 0.5, "11": 0.5}


def bell() -> QuantumCircuit:
    """The legacy tutorial's Bell pair: 2 qubits, 2 clbits, h, cx, ``measure_all()``."""
    circuit = QuantumCircuit(2, 2)
    circuit.h(0)
    circuit.cx(0, 1)
    circuit.measure_all()
    return circuit


def distance(distribution: dict[str, float], ideal: dict[str, float]) -> float:
    """Total variation distance between two distributions over the same outcomes."""
    outcomes = set(distribution) | set(ideal)
    return sum(abs(distribution.get(o, 0.0) - ideal.get(o, 0.0)) for o in outcomes) / 2


def test_hello_world_publishes_each_iteration_and_is_done() -> None:
    record = run_program(HELLO_WORLD, inputs={"iterations": 3}, seed=4)
    assert (record.status, record.error, record.result) == ("DONE", None, "All done!")
    assert [message["iteration"] for message in record.interim_results] == [0, 1, 2]
    for message in record.interim_results:
        assert {len(outcome) for outcome in message["counts"]} == {5}  # 5 qubits measured
        assert sum(message["counts"].values()) == 1024
    again = run_program(HELLO_WORLD, inputs={"iterations": 3}, seed=4)
    assert again.interim_results == record.interim_results  # the seed repeats the circuits
    assert run_program(HELLO_WORLD, inputs={"iterations": 0}, seed=1).result == "All done!"


def test_hello_world_refuses_a_negative_count() -> None:
    with pytest.raises(InputValueError, match="iterations"):
        run_program(HELLO_WORLD, inputs={"iterations": -1}, seed=1)


def test_circuit_runner_returns_a_result_dict() -> None:
    circuits = [bell(), bell()]
    record = run_program(
        CIRCUIT_RUNNER,
        inputs={"circuits": circuits, "shots": 100, "optimization_level": 3, "memory": True},
        seed=2,
    )
    assert record.status == "DONE", record.error
    result = RunnerResult.decode(json.dumps(record.result))
    assert len(result.results) == 2 and result.results[0].shots == 100
    assert set(result.get_counts(0)) == {"00 00", "11 00"}  # measure_all: a second register
    assert len(result.get_memory(1)) == 100  # run options pass through to backend.run
    with pytest.raises(QiskitError, match="No quasiprobabilities"):
        result.get_quasiprobabilities()


def test_options_a_simulator_cannot_apply_are_named_or_refused() -> None:
    inputs = {"circuits": bell(), "shots": 10, "rep_delay": 0.0001, "use_measure_esp": True}
    record = run_program(CIRCUIT_RUNNER, inputs=inputs, seed=1)
    assert record.status == "DONE", record.error
    assert "options not applied on a simulator backend: rep_delay, use_measure_esp" in record.logs
    with pytest.raises(InputValueError, match="init_qubits"):
        run_program(CIRCUIT_RUNNER, inputs={"circuits": bell(), "init_qubits": False}, seed=1)


def test_mitigation_brings_the_bell_pair_closer_to_50_50_on_a_noisy_backend() -> None:
    shots = 4000
    inputs = {"circuits": bell(), "shots": shots, "measurement_error_mitigation": True}
    record = run_program(CIRCUIT_RUNNER, inputs=inputs, backend="noisy:5", seed=11)
    assert record.status == "DONE", record.error
    experiment = record.result["results"][0]
    assert experiment["header"]["final_measurement_mapping"] == {"0": 2, "1": 3}
    assert all(key.startswith("0x") for key in experiment["data"]["quasiprobabilities"])

    result = RunnerResult.decode(json.dumps(record.result))
    counts = result.get_counts(0)  # "meas c": the measured register first
    raw = {bits.split()[0]: n / shots for bits, n in counts.items()}
    mitigated = result.get_quasiprobabilities(0).binary_probabilities(num_bits=2)
    raw_distance, mitigated_distance = distance(raw, IDEAL_BELL), distance(mitigated, IDEAL_BELL)
    print(f"Bell pair on noisy-5, {shots} shots: distance to 50/50 raw {raw_distance:.4f}, "
          f"mitigated {mitigated_distance:.4f}")  # fmt: skip
    assert raw_distance > 0.05  # readout errors of 2-7 % per qubit
    assert mitigated_distance < raw_distance / 3
