"""hello: runs a random circuit per iteration and publishes each one's counts."""

from qiskit import transpile
from qiskit.circuit.random import random_circuit


def main(backend, user_messenger, iterations=3, shots=1024, seed=None):
    """Publish {"iteration", "counts"} per iteration; return a summary."""
    total = 0
    for iteration in range(iterations):
        circuit = random_circuit(
            3, 2, measure=True, seed=None if seed is None else seed + iteration
        )
        counts = backend.run(transpile(circuit, backend), shots=shots, seed_simulator=seed).result()
        counts = counts.get_counts()
        total += sum(counts.values())
        user_messenger.publish({"iteration": iteration, "counts": counts})
    return f"Ran {iterations} circuits, {total} shots in all."
