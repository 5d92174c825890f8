"""The built-in ``vqe`` program: IBM's variational quantum eigensolver, for today's qiskit.

It takes what IBM's program took and its clients send (tutorials/vqe.ipynb, qiskit-nature
0.4's ``VQEProgram``/``VQEClient``): an ``ansatz`` circuit, an ``operator`` (opflow's
``PauliSumOp``/``PauliOp`` as legacy clients encode them arrive as ``SparsePauliOp``), an
``optimizer`` (an optimizer object, or a dict naming SPSA or QN-SPSA), an ``initial_point``,
``aux_operators``, ``shots``, ``measurement_error_mitigation`` (mthree) and
``initial_layout``.  Every energy evaluation publishes ``[count, parameters, energy,
standard deviation]``; the result is IBM's dict (``optimal_point``, ``eigenvalue``,
``eigenstate``, ``optimizer_history``...).  The work is in ``runtime_kit.algorithms.vqe``.
"""

import sys

from runtime_kit.algorithms.vqe import DEFAULT_SHOTS, run_vqe


def main(
    backend,
    user_messenger,
    ansatz,
    operator,
    optimizer=None,
    initial_point=None,
    aux_operators=None,
    shots=DEFAULT_SHOTS,
    measurement_error_mitigation=False,
    initial_layout=None,
    store_intermediate=False,
    initial_parameters=None,
    **unused,
):
    """Find the lowest eigenvalue of ``operator``; return IBM's VQE result dict."""
    if unused:
        print(f"inputs not used by vqe: {', '.join(sorted(unused))}", file=sys.stderr)
    return run_vqe(
        backend,
        user_messenger.publish,
        ansatz=ansatz,
        operator=operator,
        optimizer=optimizer,
        # IBM's metadata called it initial_parameters; its program read initial_point.
        initial_point=initial_parameters if initial_point is None else initial_point,
        aux_operators=aux_operators,
        shots=shots,
        measurement_error_mitigation=measurement_error_mitigation,
        initial_layout=initial_layout,
    )
