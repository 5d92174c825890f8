"""IBM's ``qaoa`` program: the quantum approximate optimization algorithm on the job's backend.

The ansatz is QAOA's: Hadamards, then per repetition the cost operator's evolution for
gamma[r] and the X mixer's for beta[r]; the parameters are ordered beta[0..], gamma[0..], as
in qiskit's (and IBM's) ``QAOAAnsatz`` (named with the Greek letters), with beta bounded to
[0, 2 pi] for optimizers that take bounds.  ``alpha < 1`` minimises the CVaR of the samples.

With ``use_swap_strategies`` the cost layers are routed by qiskit's commuting-gate router
along a line of the device's qubits (``use_initial_mapping`` first orders the variables along
that line so that strongly coupled ones sit close); a fully connected backend needs no swaps.
Pulse-efficient transpilation needs pulse calibrations, which qiskit 2 removed:
``use_pulse_efficient`` is named in the job's logs as not applied.  The result is IBM's dict
(``variational``), with the optimizer history of every evaluation (``nfevs``, ``params``,
``energy``, ``std``) and the ``inputs``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from qiskit import QuantumCircuit, transpile
from qiskit.circuit import ParameterVector
from qiskit.circuit.library import PauliEvolutionGate
from qiskit.quantum_info import SparsePauliOp
from qiskit_algorithms.optimizers import SPSA, Optimizer

from runtime_kit.algorithms import inputs, optimizers, variational
from runtime_kit.algorithms.estimation import Compiler, Estimate, PauliEstimator
from runtime_kit.algorithms.inputs import ProgramInputError
from runtime_kit.algorithms.variational import Publish

DEFAULT_SHOTS = 1024
DEFAULT_OPTIMIZATION_LEVEL = 1
#: IBM's default: SPSA with 300 iterations (and a calibrated learning rate).
DEFAULT_MAXITER = 300
#: How many steps the search for a line of qubits may take before giving up.
LINE_SEARCH_STEPS = 200_000
#: The names of the mixer's and the cost's parameters, as qiskit's QAOAAnsatz has them.
BETA, GAMMA = "\N{GREEK SMALL LETTER BETA}", "\N{GREEK SMALL LETTER GAMMA}"
Log = Callable[[str], None]


def run_qaoa(
    backend: Any,
    publish: Publish,
    *,
    operator: Any,
    optimizer: Any = None,
    initial_point: Any = None,
    aux_operators: Any = None,
    reps: int = 1,
    shots: int = DEFAULT_SHOTS,
    alpha: float = 1.0,
    measurement_error_mitigation: bool = False,
    use_swap_strategies: bool = True,
    use_initial_mapping: bool = False,
    use_pulse_efficient: bool = False,
    optimization_level: int | None = None,
    log: Log | None = None,
) -> dict[str, Any]:
    """Minimise the cost ``operator`` with QAOA; IBM's result dict.

    Raises:
        ProgramInputError: inputs that cannot be used (named in the message).
    """
    say = log or _stderr
    cost = _cost(operator, reps)
    aux = inputs.auxiliary_operators(aux_operators, cost.num_qubits)
    ansatz = qaoa_circuit(cost, reps)
    bounds = parameter_bounds(reps)
    point = inputs.initial_point(initial_point, ansatz.num_parameters, bounds=bounds)
    chosen = optimizers.optimizer_from_input(optimizer, default=lambda: SPSA(DEFAULT_MAXITER))
    optimizers.seed_from_numpy()
    if use_pulse_efficient:
        say("use_pulse_efficient not applied: pulse calibrations are gone from qiskit 2")
    level = DEFAULT_OPTIMIZATION_LEVEL if optimization_level is None else optimization_level
    compile = _compiler(backend, cost, use_swap_strategies, use_initial_mapping, level, say)

    def estimator_for(observable: SparsePauliOp, cvar: float = 1.0) -> PauliEstimator:
        return PauliEstimator(
            ansatz,
            observable,
            backend,
            shots=shots,
            compile=compile,
            mitigate=measurement_error_mitigation,
            alpha=cvar,
        )

    energy = estimator_for(cost, alpha)
    history = EvaluationHistory()
    recorded = {
        "operator": _as_list(cost),
        "aux_operators": _aux_as_lists(aux),
        "initial_point": [float(value) for value in point],
        "use_initial_mapping": use_initial_mapping,
        "optimizer": _serialized_optimizer(chosen),
        "reps": reps,
        "shots": shots,
        "alpha": alpha,
        "measurement_error_mitigation": measurement_error_mitigation,
        "use_swap_strategies": use_swap_strategies,
        "use_pulse_efficient": use_pulse_efficient,
        "optimization_level": level,
    }
    found = variational.minimize(
        energy, chosen, point, publish=publish, bounds=bounds, observe=history.observe
    )
    state = variational.eigenstate(energy, found.point)
    aux_values = variational.auxiliary_values(aux, estimator_for, found.point)
    return {
        **variational.result_fields(found, state, aux_values),
        "optimizer_history": history.as_dict(),
        "inputs": recorded,
    }


class EvaluationHistory:
    """Every energy evaluation, as IBM's QAOA program returned them: ``{"nfevs", "params",
    "energy", "std"}``."""

    def __init__(self) -> None:
        self._columns: dict[str, list[Any]] = {"nfevs": [], "params": [], "energy": [], "std": []}

    def observe(self, count: int, parameters: np.ndarray, estimate: Estimate) -> None:
        values = (count, parameters, estimate.mean, estimate.std)
        for column, value in zip(self._columns.values(), values, strict=True):
            column.append(value)

    def as_dict(self) -> dict[str, list[Any]]:
        return self._columns


def qaoa_circuit(cost: SparsePauliOp, reps: int) -> QuantumCircuit:
    """QAOA's ansatz for ``cost``: the evolution of its one-qubit terms, of its two-qubit
    terms (the part the swap router routes) and of the rest (they all commute when the cost
    is diagonal), then the mixer, per repetition.  Identity terms only shift the energy."""
    width = cost.num_qubits
    betas, gammas = ParameterVector(BETA, reps), ParameterVector(GAMMA, reps)
    weight = (cost.paulis.x | cost.paulis.z).sum(axis=1)
    parts = [cost[weight == 1], cost[weight == 2], cost[weight > 2]]
    circuit = QuantumCircuit(width, name="QAOA")
    circuit.h(range(width))
    for rep in range(reps):
        for part in parts:
            if len(part):
                circuit.append(PauliEvolutionGate(part, time=gammas[rep]), range(width))
        circuit.rx(2 * betas[rep], range(width))
    return circuit


def parameter_bounds(reps: int) -> list[tuple[float | None, float | None]]:
    """[0, 2 pi] for each beta (the mixer's period), none for the gammas."""
    return [(0.0, 2 * np.pi)] * reps + [(None, None)] * reps


def find_line(edges: Sequence[Sequence[int]], length: int) -> list[int] | None:
    """A path of ``length`` distinct qubits, each coupled to the next, in a coupling map
    given by its ``edges`` (either direction couples); ``None`` when the search finds none."""
    neighbours: dict[int, set[int]] = {}
    for a, b in edges:
        neighbours.setdefault(a, set()).add(b)
        neighbours.setdefault(b, set()).add(a)
    steps = 0

    def extend(path: list[int]) -> list[int] | None:
        nonlocal steps
        steps += 1
        if len(path) == length:
            return path
        if steps > LINE_SEARCH_STEPS:
            return None
        for following in sorted(neighbours[path[-1]] - set(path)):
            found = extend([*path, following])
            if found is not None:
                return found
        return None

    for start in sorted(neighbours, key=lambda qubit: len(neighbours[qubit])):
        found = extend([start])
        if found is not None:
            return found
    return None


def line_order(cost: SparsePauliOp) -> list[int]:
    """The variables ordered along a line so that strongly coupled ones sit close: the most
    connected first, then each time the one most coupled to those already placed."""
    width = cost.num_qubits
    coupling = np.zeros((width, width))
    for pauli, coeff in zip(cost.paulis, cost.coeffs, strict=True):
        qubits = np.flatnonzero(pauli.z | pauli.x)
        if len(qubits) == 2:
            first, second = qubits
            coupling[first, second] += abs(coeff)
            coupling[second, first] += abs(coeff)
    placed = [int(np.argmax((coupling > 0).sum(axis=1)))]
    while len(placed) < width:
        remaining = [q for q in range(width) if q not in placed]
        placed.append(max(remaining, key=lambda q: (coupling[q, placed].sum(), -q)))
    return placed


def _compiler(
    backend: Any,
    cost: SparsePauliOp,
    use_swap_strategies: bool,
    use_initial_mapping: bool,
    level: int,
    say: Log,
) -> Compiler:
    def plain(circuits: list[QuantumCircuit]) -> list[QuantumCircuit]:
        compiled: list[QuantumCircuit] = transpile(circuits, backend, optimization_level=level)
        return compiled

    if not use_swap_strategies:
        if use_initial_mapping:
            say("use_initial_mapping not applied: it orders the qubits for swap strategies")
        return plain
    edges = _coupling_edges(backend)
    width = cost.num_qubits
    if edges is None or len({tuple(sorted(e)) for e in edges}) >= width * (width - 1) // 2:
        say("swap strategies: the backend couples every pair of qubits, no swaps are needed")
        return plain
    if bool(cost.paulis.x.any()) or bool((cost.paulis.z.sum(axis=1) > 2).any()):
        raise ProgramInputError(
            "use_swap_strategies routes costs of Z and ZZ terms only; set it to false for "
            "this operator"
        )
    line = find_line(edges, width)
    if line is None:
        raise ProgramInputError(
            f"use_swap_strategies: no line of {width} coupled qubits found on the backend; "
            "set it to false"
        )
    order = line_order(cost) if use_initial_mapping else list(range(width))
    return _swap_compiler(backend, line, order)


def _swap_compiler(backend: Any, line: list[int], order: list[int]) -> Compiler:
    from qiskit.transpiler import PassManager
    from qiskit.transpiler.passes.routing.commuting_2q_gate_routing import (
        Commuting2qGateRouter,
        FindCommutingPauliEvolutions,
        SwapStrategy,
    )

    width = len(line)
    position = {variable: index for index, variable in enumerate(order)}
    colors = {(i, i + 1): i % 2 for i in range(width - 1)}
    colors.update({(i + 1, i): color for (i, _), color in list(colors.items())})
    router = PassManager(
        [
            FindCommutingPauliEvolutions(),
            Commuting2qGateRouter(SwapStrategy.from_line(list(range(width))), colors),
        ]
    )

    def compile(circuits: list[QuantumCircuit]) -> list[QuantumCircuit]:
        routed = router.run([_moved(circuit, position) for circuit in circuits])
        compiled: list[QuantumCircuit] = transpile(
            routed, backend, initial_layout=line, routing_method="none", optimization_level=1
        )
        return compiled

    return compile


def _moved(circuit: QuantumCircuit, position: dict[int, int]) -> QuantumCircuit:
    """``circuit`` with virtual qubit ``q`` on wire ``position[q]`` (measurements still write
    each variable's own classical bit).  The router reads an evolution gate's operator as
    acting on wires 0..n-1 in order, so such a gate gets its operator moved, not its wires."""
    layout = [position[q] for q in range(circuit.num_qubits)]
    moved = QuantumCircuit(circuit.num_qubits, circuit.num_clbits, name=circuit.name)
    for instruction in circuit.data:
        operation = instruction.operation
        qubits = [layout[circuit.find_bit(q).index] for q in instruction.qubits]
        clbits = [circuit.find_bit(c).index for c in instruction.clbits]
        if isinstance(operation, PauliEvolutionGate) and qubits != sorted(qubits):
            on_wires = operation.operator.apply_layout(qubits, circuit.num_qubits)
            operation = PauliEvolutionGate(on_wires, time=operation.time)
            qubits = list(range(circuit.num_qubits))
        moved.append(operation, qubits, clbits)
    return moved


def _cost(operator: Any, reps: int) -> SparsePauliOp:
    cost = inputs.pauli_operator(operator)
    if reps < 1:
        raise ProgramInputError(f"input 'reps' must be at least 1, not {reps}")
    if not (cost.paulis.x | cost.paulis.z).any():
        raise ProgramInputError(
            "input 'operator' has no term but the identity: nothing to minimise"
        )
    return cost


def _coupling_edges(backend: Any) -> list[list[int]] | None:
    coupling = backend.configuration().coupling_map
    return None if coupling is None else [list(edge) for edge in coupling]


def _serialized_optimizer(optimizer: Optimizer) -> dict[str, Any]:
    """The optimizer as IBM's program recorded it in the result's ``inputs``."""
    settings = getattr(optimizer, "settings", {})
    return {
        "__class__.__name__": type(optimizer).__name__,
        "__class__": str(type(optimizer)),
        "settings": {key: None if callable(value) else value for key, value in settings.items()},
    }


def _as_list(operator: SparsePauliOp) -> list[list[Any]]:
    return [[label, complex(coeff)] for label, coeff in operator.to_list()]


def _aux_as_lists(
    aux: list[SparsePauliOp] | dict[str, SparsePauliOp] | None,
) -> list[list[list[Any]]] | dict[str, list[list[Any]]] | None:
    if aux is None:
        return None
    if isinstance(aux, dict):
        return {name: _as_list(operator) for name, operator in aux.items()}
    return [_as_list(operator) for operator in aux]


def _stderr(message: str) -> None:
    print(message, file=sys.stderr)
