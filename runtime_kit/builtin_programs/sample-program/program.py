"""The built-in ``sample-program``: IBM's first public sample, kept for the clients and tests
that still call it by this id (hello-world is its successor).

Each iteration runs a random 5-qubit circuit with measurements on the job's backend and
publishes ``{"iteration": i, "counts": {...}}``; the program returns ``"All done!"``.  Unlike
hello-world, ``iterations`` may be left out: IBM's program then ran 5.  The circuits come
from Python's global generator, which the harness seeds with the job's seed.
"""

import random

from qiskit import transpile
from qiskit.circuit.random import random_circuit

NUM_QUBITS = 5
DEPTH = 4
DEFAULT_ITERATIONS = 5


def main(backend, user_messenger, iterations=DEFAULT_ITERATIONS, **kwargs):
    """Run ``iterations`` random circuits, publishing the counts of each."""
    for iteration in range(iterations):
        circuit = random_circuit(NUM_QUBITS, DEPTH, measure=True, seed=random.randrange(2**32))
        counts = backend.run(transpile(circuit, backend)).result().get_counts()
        user_messenger.publish({"iteration": iteration, "counts": counts})
    return "All done!"
