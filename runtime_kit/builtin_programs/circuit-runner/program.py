"""The built-in ``circuit-runner`` program: transpile circuits for the backend, run them,
return the qiskit ``Result`` as a dict (what the legacy ``RunnerResult`` decodes).

It takes the inputs of the legacy hosted circuit-runner (qiskit-ibmq-provider's
``provider.run_circuits``).  With ``measurement_error_mitigation``, the readout errors of the
measured qubits are calibrated on the backend with mthree, and each experiment's ``data``
gets ``quasiprobabilities`` (hexadecimal outcome -> float) and its ``header``
``final_measurement_mapping`` (measured qubit -> classical bit, ordered by classical bit),
exactly where ``RunnerResult.get_quasiprobabilities()`` reads them.  Options a simulator has
no use for (``rep_delay``, ``use_measure_esp``) are named in the job's logs as not applied.
"""

import sys
import time

from qiskit import QuantumCircuit, transpile
from qiskit.result import marginal_distribution

NOT_APPLIED_ON_SIMULATORS = ("rep_delay", "use_measure_esp")


def main(
    backend,
    user_messenger,
    circuits,
    shots=None,
    initial_layout=None,
    layout_method=None,
    routing_method=None,
    translation_method=None,
    seed_transpiler=None,
    optimization_level=None,
    init_qubits=True,
    rep_delay=None,
    transpiler_options=None,
    measurement_error_mitigation=False,
    use_measure_esp=None,
    **run_options,
):
    """Run ``circuits`` (one or a list); return ``Result.to_dict()``, mitigated on demand."""
    ignored = {"rep_delay": rep_delay, "use_measure_esp": use_measure_esp}
    not_applied = [name for name in NOT_APPLIED_ON_SIMULATORS if ignored[name] is not None]
    if not_applied:
        print(
            f"options not applied on a simulator backend: {', '.join(not_applied)}", file=sys.stderr
        )
    if isinstance(circuits, QuantumCircuit):
        circuits = [circuits]
    compiled = transpile(
        list(circuits),
        backend,
        initial_layout=initial_layout,
        layout_method=layout_method,
        routing_method=routing_method,
        translation_method=translation_method,
        seed_transpiler=seed_transpiler,
        optimization_level=1 if optimization_level is None else optimization_level,
        **(transpiler_options or {}),
    )
    options = {name: value for name, value in run_options.items() if value is not None}
    if shots is not None:
        options["shots"] = shots
    result = backend.run(compiled, **options).result()
    output = result.to_dict()
    if measurement_error_mitigation:
        mitigate(backend, compiled, result, output["results"])
    return output


def mitigate(backend, compiled, result, experiments):
    """Add mthree's quasi-probabilities and the measurement mapping to ``experiments``."""
    import mthree
    from mthree.utils import final_measurement_mapping

    mappings = [_qubit_to_clbit(final_measurement_mapping(circuit)) for circuit in compiled]
    measured = sorted({qubit for mapping in mappings for qubit in mapping})
    mitigator = mthree.M3Mitigation(backend)
    mitigator.cals_from_system(measured, async_cal=False)
    for index, (experiment, mapping) in enumerate(zip(experiments, mappings, strict=True)):
        counts = marginal_distribution(result.get_counts(index), list(mapping.values()))
        started = time.perf_counter()
        quasi = mitigator.apply_correction(counts, list(mapping))
        experiment["data"]["quasiprobabilities"] = {
            hex(int(outcome, 2)): float(value) for outcome, value in quasi.items()
        }
        experiment["header"]["final_measurement_mapping"] = mapping
        experiment["header"]["measurement_mitigation_time"] = time.perf_counter() - started


def _qubit_to_clbit(mapping):
    """mthree's ``{clbit: qubit}`` as the legacy ``{qubit: clbit}``, ordered by classical bit
    (the order of the outcome's bits, lowest first)."""
    return {int(qubit): int(clbit) for clbit, qubit in sorted(mapping.items())}
