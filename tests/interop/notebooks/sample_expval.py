"""Our stand-in for ``sample_expval.py`` of IBM's expectation-value tutorial
(``tutorials/sample_expval_program/``): the same inputs and behaviour, written anew.
Expectation values of diagonal operators (Pauli strings of Z and I, or projectors as dicts of
bitstrings) from the counts of the circuits, optionally mitigated with mthree."""

import mthree
import numpy as np
from qiskit import transpile


def main(
    backend,
    user_messenger,
    circuits,
    expectation_operators="",
    shots=8192,
    transpiler_config=None,
    run_config=None,
    skip_transpilation=False,
    return_stddev=False,
    use_measurement_mitigation=False,
):
    circuits = circuits if isinstance(circuits, list) else [circuits]
    if not skip_transpilation:
        circuits = transpile(circuits, backend=backend, **(transpiler_config or {}))
    operators = expectation_operators
    one_circuit_many_operators = isinstance(operators, list) and operators and len(circuits) == 1
    counts = backend.run(circuits, shots=shots, **(run_config or {})).result().get_counts()
    if use_measurement_mitigation:
        mappings = mthree.utils.final_measurement_mapping(circuits)
        mitigation = mthree.M3Mitigation(backend)
        mitigation.cals_from_system(mappings)
        counts = mitigation.apply_correction(
            counts, mappings, return_mitigation_overhead=return_stddev
        )
        if one_circuit_many_operators:
            counts = mthree.classes.QuasiCollection([counts] * len(operators))
        values = counts.expval_and_stddev(operators) if return_stddev else counts.expval(operators)
    else:
        if one_circuit_many_operators:
            counts = [counts] * len(operators)
        measure = mthree.utils.expval_and_stddev if return_stddev else mthree.utils.expval
        values = measure(counts, operators)
    return np.asarray(values, dtype=float)  # mthree's float32 is no JSON
