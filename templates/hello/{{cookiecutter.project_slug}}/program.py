"""hello: runs a random circuit per iteration and publishes each one's counts."""

import random

from qiskit import transpile
from qiskit.circuit.random import random_circuit


def main(backend, user_messenger, iterations=3, shots=1024):
    """Publish {"iteration", "counts"} per iteration; return a summary.

    The run's one seed (`runtime-kit run --seed N`, or the one a service records for the
    job) decides everything: Python's `random` is seeded with it, and each `backend.run`
    draws fresh shots from it.
    """
    total = 0
    for iteration in range(iterations):
        circuit = random_circuit(3, 2, measure=True, seed=random.randrange(2**32))
        counts = backend.run(transpile(circuit, backend), shots=shots).result().get_counts()
        total += sum(counts.values())
        user_messenger.publish({"iteration": iteration, "counts": counts})
    circuits = "circuit" if iterations == 1 else "circuits"
    return f"Ran {iterations} {circuits}, {total} shots in all."
