"""circuit-runner: transpiles circuits for the backend, runs them, returns counts or a Result."""

from qiskit import QuantumCircuit, transpile


def main(
    backend,
    user_messenger,
    circuits,
    shots=1024,
    optimization_level=1,
    seed_transpiler=None,
    output="counts",
):
    """Run ``circuits`` (one QuantumCircuit or a list).

    Publishes {"stage": "transpiled", "depths": [...]} once the circuits are transpiled, and
    returns a list of counts (``output="counts"``) or the qiskit Result (``output="result"``).
    """
    if isinstance(circuits, QuantumCircuit):
        circuits = [circuits]
    compiled = transpile(
        circuits,
        backend,
        optimization_level=optimization_level,
        seed_transpiler=seed_transpiler,
    )
    user_messenger.publish({"stage": "transpiled", "depths": [c.depth() for c in compiled]})
    result = backend.run(compiled, shots=shots).result()
    if output == "result":
        return result
    return [result.get_counts(index) for index in range(len(compiled))]
