"""Circuits of the scan, and the default angles (from data/angles.json)."""

import json
from pathlib import Path

from qiskit import QuantumCircuit, transpile

DATA = Path(__file__).resolve().parent / "data"


def scan_angles():
    """The default angles of the scan, read from the package's data file."""
    return json.loads((DATA / "angles.json").read_text())["angles"]


def rotation_circuit(num_qubits, angle):
    """RY(angle) on every qubit, then measure all."""
    circuit = QuantumCircuit(num_qubits)
    for qubit in range(num_qubits):
        circuit.ry(angle, qubit)
    circuit.measure_all()
    return transpile(circuit, basis_gates=["ry", "rz", "sx", "x", "cx", "measure"])
