"""A small variational program: minimises the energy <Z0 Z1> over a two-qubit ansatz."""

from qiskit import QuantumCircuit, transpile
from qiskit.circuit import Parameter
from scipy.optimize import minimize


def main(backend, user_messenger, iterations=20, shots=2000):
    angles = [Parameter("a"), Parameter("b")]
    ansatz = QuantumCircuit(2)
    ansatz.ry(angles[0], 0)
    ansatz.ry(angles[1], 1)
    ansatz.cx(0, 1)
    ansatz.measure_all()
    compiled = transpile(ansatz, backend)
    energies = []

    def energy(values):
        bound = compiled.assign_parameters(values)  # in the order of their names: a, b
        counts = backend.run(bound, shots=shots).result().get_counts()
        value = sum((-1) ** bits.count("1") * n for bits, n in counts.items()) / shots
        energies.append(value)
        user_messenger.publish({"evaluation": len(energies), "energy": value})
        return value

    found = minimize(energy, x0=[0.3, 0.3], method="COBYLA", options={"maxiter": iterations})
    return {"energy": float(found.fun), "evaluations": len(energies)}
