"""A VQE written the way the 2021 tutorial "Creating Custom Programs for Qiskit Runtime" wrote
its ``sample_vqe.py``, for qiskit-terra 0.2x: the ansatz taken by name from
``qiskit.circuit.library.n_local``, measurement-basis circuits per Pauli string, a SciPy-style
SPSA, ``bind_parameters``, ``backend.configuration()``, mthree for expectation values (and its
readout mitigation when asked), each iterate published, a SciPy ``OptimizeResult`` returned.
"""

import mthree
import numpy as np
import scipy.optimize as opt
from qiskit import QuantumCircuit, transpile
from qiskit.circuit.library import n_local
from scipy.optimize import OptimizeResult


def spsa_minimize(
    function, x0, maxiter=50, a=1.0, c=0.2, alpha=0.602, gamma=0.101, stability=None, callback=None
):
    """Simultaneous-perturbation stochastic approximation, called as SciPy's minimizers are."""
    point = np.asarray(x0, dtype=float)
    stability = 0.1 * maxiter if stability is None else stability
    evaluations = 0
    for step in range(maxiter):
        gain = a / (step + 1 + stability) ** alpha
        width = c / (step + 1) ** gamma
        direction = 2 * np.random.randint(0, 2, size=point.shape[0]) - 1
        above = function(point + width * direction)
        below = function(point - width * direction)
        evaluations += 2
        point = point - gain * (above - below) / (2 * width) * direction
        if callback is not None:
            callback(point)
    return OptimizeResult(
        fun=function(point),
        x=point,
        nit=maxiter,
        nfev=evaluations + 1,
        message="SPSA finished its iterations",
        success=True,
    )


def basis_circuits(pauli_strings):
    """One circuit per Pauli string rotating each qubit into the string's measurement basis
    (the string's rightmost letter is qubit 0)."""
    circuits = []
    for text in pauli_strings:
        circuit = QuantumCircuit(len(text))
        for qubit, letter in enumerate(reversed(text)):
            if letter == "X":
                circuit.h(qubit)
            elif letter == "Y":
                circuit.sdg(qubit)
                circuit.h(qubit)
        circuits.append(circuit)
    return circuits


def main(
    backend,
    user_messenger,
    hamiltonian,
    ansatz="EfficientSU2",
    ansatz_config={},  # noqa: B006
    x0=None,
    optimizer="SPSA",
    optimizer_config={"maxiter": 100},  # noqa: B006  (the tutorial's signature)
    shots=8192,
    use_measurement_mitigation=False,
):
    coefficients = np.array([term[0] for term in hamiltonian], dtype=complex)
    pauli_strings = [term[1] for term in hamiltonian]
    num_qubits = len(pauli_strings[0])

    ansatz_circuit = getattr(n_local, ansatz)(num_qubits, **ansatz_config)
    measured = [
        ansatz_circuit.compose(basis).measure_all(inplace=False)
        for basis in basis_circuits(pauli_strings)
    ]
    z_strings = [text.replace("X", "Z").replace("Y", "Z") for text in pauli_strings]
    num_params = ansatz_circuit.num_parameters
    if x0 is not None:
        x0 = np.asarray(x0, dtype=float)
        if x0.shape[0] != num_params:
            raise ValueError(f"x0 has {x0.shape[0]} values; the ansatz has {num_params}")
    else:
        x0 = 2 * np.pi * np.random.rand(num_params)

    options = {}
    if not backend.configuration().simulator:
        options = {"layout_method": "sabre", "routing_method": "sabre"}
    transpiled = transpile(measured, backend, optimization_level=3, **options)

    if use_measurement_mitigation:
        mapping = mthree.utils.final_measurement_mapping(transpiled)
        mitigation = mthree.M3Mitigation(backend)
        mitigation.cals_from_system(mapping)

    def energy(parameters):
        bound = [circuit.bind_parameters(parameters) for circuit in transpiled]
        counts = backend.run(bound, shots=shots).result().get_counts()
        if use_measurement_mitigation:
            values = mitigation.apply_correction(counts, mapping).expval(z_strings)
        else:
            values = mthree.utils.expval(counts, z_strings)
        return float(np.sum(coefficients * np.asarray(values, dtype=float)).real)

    def publish(point):
        user_messenger.publish(list(point))

    if optimizer == "SPSA":
        return spsa_minimize(energy, x0, callback=publish, **optimizer_config)
    return opt.minimize(energy, x0, method=optimizer, options=optimizer_config, callback=publish)
