"""The built-in ``qaoa`` program: IBM's QAOA runtime program, for today's qiskit.

It takes what IBM's program took and qiskit-optimization 0.4's ``QAOAClient`` sends: the cost
``operator`` (opflow's ``PauliSumOp`` as legacy clients encode it arrives as a
``SparsePauliOp``), ``optimizer`` (default SPSA with 300 iterations), ``reps``,
``initial_point``, ``shots``, ``alpha`` (CVaR), ``aux_operators``,
``measurement_error_mitigation`` (mthree), ``use_swap_strategies``, ``use_initial_mapping``,
``use_pulse_efficient`` (not applicable in qiskit 2: named in the logs) and
``optimization_level``.  Every energy evaluation publishes ``[count, parameters, energy,
standard deviation]``; the result is IBM's dict, with ``optimizer_history`` and ``inputs``.
The work is in ``runtime_kit.algorithms.qaoa``.
"""

import sys

from runtime_kit.algorithms.qaoa import DEFAULT_SHOTS, run_qaoa


def main(
    backend,
    user_messenger,
    operator,
    optimizer=None,
    initial_point=None,
    aux_operators=None,
    reps=1,
    shots=DEFAULT_SHOTS,
    alpha=1.0,
    measurement_error_mitigation=False,
    use_swap_strategies=True,
    use_initial_mapping=False,
    use_pulse_efficient=False,
    optimization_level=None,
    store_intermediate=False,
    **unused,
):
    """Minimise the cost ``operator`` with QAOA; return IBM's QAOA result dict."""
    if unused:
        print(f"inputs not used by qaoa: {', '.join(sorted(unused))}", file=sys.stderr)
    return run_qaoa(
        backend,
        user_messenger.publish,
        operator=operator,
        optimizer=optimizer,
        initial_point=initial_point,
        aux_operators=aux_operators,
        reps=reps,
        shots=shots,
        alpha=alpha,
        measurement_error_mitigation=measurement_error_mitigation,
        use_swap_strategies=use_swap_strategies,
        use_initial_mapping=use_initial_mapping,
        use_pulse_efficient=use_pulse_efficient,
        optimization_level=optimization_level,
    )
