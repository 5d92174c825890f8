# /// script
# dependencies = ["qiskit-terra==0.23.*"]
# ///
"""Corpus base: a program with nothing wrong."""

from qiskit import QuantumCircuit, transpile


def main(backend, user_messenger, iterations, shots=1024, **kwargs):
    seed = kwargs.get("seed")
    for iteration in range(iterations):
        circuit = QuantumCircuit(1, 1)
        circuit.h(0)
        circuit.measure(0, 0)
        job = backend.run(transpile(circuit, backend), shots=shots, seed_simulator=seed)
        user_messenger.publish({"iteration": iteration, "counts": job.result().get_counts()})
    return "done"
