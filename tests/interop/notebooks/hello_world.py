"""Our stand-in for ``qiskit_runtime/hello_world/hello_world.py`` of IBM's tutorial 02 (not in
the archived repository): the same behaviour, written anew.  Each iteration runs a random
5-qubit circuit and publishes its counts; the result is "All done!"."""

import random

from qiskit import transpile
from qiskit.circuit.random import random_circuit


def make_circuit(backend):
    circuit = random_circuit(5, 4, measure=True, seed=random.randint(0, 1000))
    return transpile(circuit, backend)


def main(backend, user_messenger, **kwargs):
    iterations = kwargs.pop("iterations", 5)
    for iteration in range(iterations):
        counts = backend.run(make_circuit(backend)).result().get_counts()
        user_messenger.publish({"iteration": iteration, "counts": counts})
    return "All done!"
