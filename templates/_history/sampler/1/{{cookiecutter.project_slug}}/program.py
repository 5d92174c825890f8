"""sampler: a parameter sweep with qiskit's Sampler primitive (V2).

A GHZ circuit whose first qubit is rotated by ``theta`` is transpiled once for the backend
and sampled at every angle in a single pub (``BackendSamplerV2`` on the job's backend).
Each angle's counts and parity <Z...Z> are published; the return value is the sampler's own
``PrimitiveResult``, which the wire format carries as it is.
"""

import numpy as np
from qiskit.circuit import Parameter, QuantumCircuit
from qiskit.primitives import BackendSamplerV2
from qiskit.transpiler import generate_preset_pass_manager


def ghz(num_qubits):
    """|0...0> cos(theta/2) + |1...1> sin(theta/2), measured."""
    theta = Parameter("theta")
    circuit = QuantumCircuit(num_qubits)
    circuit.ry(theta, 0)
    for qubit in range(num_qubits - 1):
        circuit.cx(qubit, qubit + 1)
    circuit.measure_all()
    return circuit


def main(backend, user_messenger, num_qubits=3, angles=None, shots=1024):
    """Sample the GHZ circuit at each of ``angles``; return the sampler's PrimitiveResult."""
    angles = np.linspace(0, np.pi, 5) if angles is None else np.asarray(angles, dtype=float)
    circuit = generate_preset_pass_manager(optimization_level=1, backend=backend).run(
        ghz(num_qubits)
    )
    sampler = BackendSamplerV2(backend=backend)
    result = sampler.run([(circuit, angles.reshape(-1, 1))], shots=shots).result()
    outcomes = result[0].data.meas
    parities = outcomes.expectation_values("Z" * num_qubits)
    for index, angle in enumerate(angles):
        user_messenger.publish(
            {
                "angle": float(angle),
                "counts": outcomes[index].get_counts(),
                "parity": float(parities[index]),
            }
        )
    return result
