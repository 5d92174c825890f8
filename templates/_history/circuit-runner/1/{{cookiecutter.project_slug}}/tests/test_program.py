"""The program, run through runtime-kit's local harness (the `run_program` pytest fixture)."""

from pathlib import Path

from qiskit import QuantumCircuit

from runtime_kit import validate

PROJECT = Path(__file__).resolve().parents[1]


def test_program_validates():
    assert validate(PROJECT) == []


def test_example_circuits_give_entangled_counts(run_program):
    record = run_program(PROJECT, seed=1)
    assert record.status == "DONE", record.error
    assert record.warnings == []
    bell, ghz = record.result
    assert set(bell) == {"00", "11"} and sum(bell.values()) == 1000
    assert set(ghz) == {"000", "111"} and sum(ghz.values()) == 1000
    assert record.interim_results[0]["stage"] == "transpiled"


def test_one_circuit_and_the_full_result(run_program):
    circuit = QuantumCircuit(1)
    circuit.x(0)
    circuit.measure_all()
    inputs = {"circuits": circuit, "shots": 10, "output": "result"}
    record = run_program(PROJECT, inputs=inputs, seed=2)
    assert record.status == "DONE", record.error
    assert record.result.get_counts() == {"1": 10}
