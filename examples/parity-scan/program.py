"""parity-scan: the entry point; the work is in the parity_scan package."""

from parity_scan.analysis import parity
from parity_scan.circuits import rotation_circuit, scan_angles


def main(backend, user_messenger, num_qubits=2, shots=2000, angles=None):
    """Measure the parity <Z...Z> after RY(angle) on every qubit, for each angle.

    ``angles`` default to the package's data file; each result is published as
    {"angle", "parity"} and all of them are returned.
    """
    angles = scan_angles() if angles is None else list(angles)
    parities = []
    for angle in angles:
        counts = backend.run(rotation_circuit(num_qubits, angle), shots=shots).result().get_counts()
        value = parity(counts)
        parities.append(value)
        user_messenger.publish({"angle": angle, "parity": value})
    return {"angles": angles, "parities": parities}
