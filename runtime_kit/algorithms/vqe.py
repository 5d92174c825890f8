"""IBM's ``vqe`` program: the variational quantum eigensolver on the job's backend.

The inputs are those IBM's program read and its clients send (tutorials/vqe.ipynb,
qiskit-nature 0.4's ``VQEProgram``/``VQEClient``); the interim results and the result are
described in ``variational``.  ``optimizer_history`` is SPSA's (and QN-SPSA's) per-iteration
``{"loss", "params", "time"}``, and ``None`` for other optimizers, as IBM's program had it.
"""

from __future__ import annotations

from typing import Any

from qiskit import QuantumCircuit, transpile
from qiskit_algorithms.optimizers import SPSA

from runtime_kit.algorithms import inputs, optimizers, variational
from runtime_kit.algorithms.estimation import PauliEstimator
from runtime_kit.algorithms.inputs import ProgramInputError
from runtime_kit.algorithms.variational import Publish

DEFAULT_SHOTS = 1024


def run_vqe(
    backend: Any,
    publish: Publish,
    *,
    ansatz: Any,
    operator: Any,
    optimizer: Any = None,
    initial_point: Any = None,
    aux_operators: Any = None,
    shots: int = DEFAULT_SHOTS,
    measurement_error_mitigation: bool = False,
    initial_layout: Any = None,
) -> dict[str, Any]:
    """Find the lowest eigenvalue of ``operator`` with ``ansatz``; IBM's result dict.

    Raises:
        ProgramInputError: inputs that cannot be used (named in the message).
    """
    if not isinstance(ansatz, QuantumCircuit):
        raise ProgramInputError(f"input 'ansatz' must be a QuantumCircuit, not {type(ansatz)}")
    hamiltonian = inputs.pauli_operator(operator)
    aux = inputs.auxiliary_operators(aux_operators, hamiltonian.num_qubits)
    point = inputs.initial_point(initial_point, ansatz.num_parameters)
    chosen = optimizers.optimizer_from_input(optimizer, default=SPSA)
    optimizers.seed_from_numpy()

    def compile(circuits: list[QuantumCircuit]) -> list[QuantumCircuit]:
        compiled: list[QuantumCircuit] = transpile(
            circuits, backend, initial_layout=initial_layout, optimization_level=1
        )
        return compiled

    def estimator_for(observable: Any) -> PauliEstimator:
        return PauliEstimator(
            ansatz,
            observable,
            backend,
            shots=shots,
            compile=compile,
            mitigate=measurement_error_mitigation,
        )

    energy = estimator_for(hamiltonian)
    chosen = optimizers.with_fidelity(
        chosen, ansatz, lambda: _sampling(backend, shots, initial_layout)
    )
    history = optimizers.History()
    history.attach(chosen)
    found = variational.minimize(energy, chosen, point, publish=publish)
    state = variational.eigenstate(energy, found.point)
    aux_values = variational.auxiliary_values(aux, estimator_for, found.point)
    return {
        "optimizer_evals": found.optimizer_evals,
        **variational.result_fields(found, state, aux_values),
        "optimizer_history": history.as_result(),
    }


def _sampling(backend: Any, shots: int, initial_layout: Any) -> tuple[Any, Any]:
    """A V2 sampler on ``backend`` and the pass manager that compiles for it (QN-SPSA's
    fidelity samples through them)."""
    from qiskit.primitives import BackendSamplerV2
    from qiskit.transpiler import generate_preset_pass_manager

    sampler = BackendSamplerV2(backend=backend, options={"default_shots": shots})
    passes = generate_preset_pass_manager(
        optimization_level=1, backend=backend, initial_layout=initial_layout
    )
    return sampler, passes
