"""The built-in ``hello-world`` program: one random 5-qubit circuit per iteration.

Each iteration runs a random circuit with measurements on the job's backend and publishes
``{"iteration": i, "counts": {...}}``; the program returns ``"All done!"``.  The circuits come
from Python's global generator, which the harness seeds with the job's seed: a run repeats.
"""

import random

from qiskit import transpile
from qiskit.circuit.random import random_circuit

NUM_QUBITS = 5
DEPTH = 4


def main(backend, user_messenger, iterations):
    """Run ``iterations`` random circuits, publishing the counts of each."""
    for iteration in range(iterations):
        circuit = random_circuit(NUM_QUBITS, DEPTH, measure=True, seed=random.randrange(2**32))
        counts = backend.run(transpile(circuit, backend)).result().get_counts()
        user_messenger.publish({"iteration": iteration, "counts": counts})
    return "All done!"
