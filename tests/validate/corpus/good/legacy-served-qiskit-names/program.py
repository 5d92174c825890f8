"""Corpus base: a program with nothing wrong."""

from qiskit import Aer, QuantumCircuit, execute, transpile
from qiskit.compiler import schedule
from qiskit.execute_function import execute as execute_function
from qiskit.providers.aer import AerSimulator
from qiskit.providers.aer.noise import NoiseModel
import qiskit.algorithms.optimizers
from qiskit.utils import algorithm_globals
from qiskit.providers.ibmq import RunnerResult


def main(backend, user_messenger, iterations, shots=1024, **kwargs):
    seed = kwargs.get("seed")
    for iteration in range(iterations):
        circuit = QuantumCircuit(1, 1)
        circuit.h(0)
        circuit.measure(0, 0)
        job = backend.run(transpile(circuit, backend), shots=shots, seed_simulator=seed)
        user_messenger.publish({"iteration": iteration, "counts": job.result().get_counts()})
    return "done"
