"""QAOA's pieces: the ansatz (qiskit's QAOA state, IBM's parameter order and bounds), swap
strategies along a line of a device's qubits (the same state, fewer two-qubit gates), the
initial mapping, and the whole loop on a device with a line coupling map."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.circuit.library import qaoa_ansatz
from qiskit.providers.fake_provider import GenericBackendV2
from qiskit.quantum_info import SparsePauliOp, Statevector
from qiskit.transpiler import CouplingMap

from runtime_kit.algorithms.inputs import ProgramInputError
from runtime_kit.algorithms.qaoa import (
    BETA,
    GAMMA,
    find_line,
    line_order,
    parameter_bounds,
    qaoa_circuit,
    run_qaoa,
)
from runtime_kit.program.backend import ProgramBackend

#: The tutorial's MaxCut-like cost on 5 qubits, with a linear and a constant term added.
COST = SparsePauliOp.from_list(
    [("ZZIII", 1), ("IIZZI", -1), ("IIZIZ", 1), ("ZIZII", -1), ("IZZII", -1), ("IZIZI", 1),
     ("IIIZZ", 1), ("IZIII", 0.3), ("IIIII", 2.0)]
)  # fmt: skip


def state(circuit: QuantumCircuit, point: list[float]) -> Statevector:
    """The circuit's state at ``point``, its evolution gates synthesized (their matrices go
    through scipy's sparse exponential, which warns)."""
    return Statevector(circuit.assign_parameters(point).decompose(reps=3))


def line_device(qubits: int) -> ProgramBackend:
    """Aer on a noiseless device whose qubits are coupled in a line only (seeded)."""
    from qiskit_aer import AerSimulator
    from qiskit_aer.noise import NoiseModel

    line = CouplingMap.from_line(qubits)
    device = GenericBackendV2(qubits, coupling_map=line, noise_info=False, seed=1)
    noiseless = NoiseModel(basis_gates=device.operation_names)
    return ProgramBackend(
        AerSimulator.from_backend(device, noise_model=noiseless, seed_simulator=1)
    )


def test_the_ansatz_is_qiskits_qaoa_state_with_betas_first() -> None:
    circuit = qaoa_circuit(COST, reps=2)
    names = [f"{BETA}[0]", f"{BETA}[1]", f"{GAMMA}[0]", f"{GAMMA}[1]"]
    assert [p.name for p in circuit.parameters] == names
    reference = qaoa_ansatz(COST, reps=2)
    assert [p.name for p in reference.parameters] == names
    point = [0.3, 0.7, 0.2, 0.9]
    ours, theirs = state(circuit, point), state(reference, point)
    assert ours.equiv(theirs)  # equal up to the global phase of the constant term
    assert parameter_bounds(2) == [(0.0, 2 * np.pi)] * 2 + [(None, None)] * 2


def test_a_line_is_found_in_a_coupling_map() -> None:
    heavy = CouplingMap.from_heavy_hex(3)
    line = find_line(list(heavy.get_edges()), 9)
    assert line is not None and len(set(line)) == 9
    assert all(heavy.distance(a, b) == 1 for a, b in pairwise(line))
    assert find_line([[0, 1], [1, 2], [1, 3]], 4) is None  # a star has no line of 4
    assert find_line([[1, 0], [2, 1]], 3) in ([0, 1, 2], [2, 1, 0])  # either direction couples


def test_the_initial_mapping_places_strongly_coupled_variables_side_by_side() -> None:
    chain = SparsePauliOp.from_list([("ZIIZ", 5.0), ("IZZI", 5.0), ("IIZZ", 1.0)])
    order = line_order(chain)  # the chain is 0-3 (5), 1-2 (5), 0-1 (1)
    assert sorted(order) == [0, 1, 2, 3]
    neighbours = {frozenset(pair) for pair in pairwise(order)}
    assert {frozenset({0, 3}), frozenset({1, 2})} <= neighbours


@pytest.mark.parametrize("initial_mapping", [False, True])
def test_swap_strategies_keep_the_state(
    initial_mapping: bool,
) -> None:
    backend = line_device(7)
    messages: list[str] = []
    result = run_qaoa(
        backend,
        lambda message: None,
        operator=COST,
        reps=1,
        shots=10_000,
        optimizer={"name": "SPSA", "maxiter": 1, "learning_rate": 0.01, "perturbation": 0.01},
        initial_point=[0.4, 0.8],
        use_swap_strategies=True,
        use_initial_mapping=initial_mapping,
        log=messages.append,
    )
    assert messages == []
    point = result["optimal_point"]
    exact = state(qaoa_circuit(COST, 1), list(point)).probabilities_dict()
    sampled = {bits: amplitude**2 for bits, amplitude in result["eigenstate"].items()}
    distance = sum(abs(sampled.get(b, 0) - exact.get(b, 0)) for b in set(exact) | set(sampled))
    assert distance / 2 < 0.05  # 10,000 shots over 32 outcomes: about 0.02 expected
    assert result["inputs"]["use_swap_strategies"] is True


def test_routing_stays_on_the_line_it_was_given() -> None:
    from runtime_kit.algorithms.estimation import measured
    from runtime_kit.algorithms.qaoa import _swap_compiler

    backend = line_device(7)
    circuit = measured(qaoa_circuit(COST, reps=2), "ZZZZZ")
    routed = _swap_compiler(backend, [1, 2, 3, 4, 5], list(range(5)))([circuit])[0]
    used = {routed.find_bit(q).index for i in routed.data for q in i.qubits}
    assert used <= {1, 2, 3, 4, 5}
    pairs = [
        tuple(routed.find_bit(q).index for q in i.qubits) for i in routed.data if len(i.qubits) == 2
    ]
    assert pairs and all(abs(a - b) == 1 for a, b in pairs)  # neighbours on the line


def test_what_the_backend_or_the_options_make_unnecessary_is_said() -> None:
    messages: list[str] = []
    backend = ProgramBackend(GenericBackendV2(3, seed=1))  # all-to-all
    result = run_qaoa(
        backend,
        lambda message: None,
        operator=SparsePauliOp("ZZI"),
        optimizer={"maxiter": 1, "learning_rate": 0.1, "perturbation": 0.1},
        use_swap_strategies=True,
        use_pulse_efficient=True,
        log=messages.append,
    )
    assert messages == [
        "use_pulse_efficient not applied: pulse calibrations are gone from qiskit 2",
        "swap strategies: the backend couples every pair of qubits, no swaps are needed",
    ]
    assert result["inputs"]["use_pulse_efficient"] is True
    messages.clear()
    run_qaoa(
        backend,
        lambda message: None,
        operator=SparsePauliOp("ZZI"),
        optimizer={"maxiter": 1, "learning_rate": 0.1, "perturbation": 0.1},
        use_swap_strategies=False,
        use_initial_mapping=True,
        log=messages.append,
    )
    assert messages == ["use_initial_mapping not applied: it orders the qubits for swap strategies"]


@pytest.mark.parametrize(
    ("operator", "options", "message"),
    [
        (SparsePauliOp("XZZII"), {}, "routes costs of Z and ZZ terms only"),
        (SparsePauliOp("ZZZII"), {}, "routes costs of Z and ZZ terms only"),
        (SparsePauliOp("IIIII"), {}, "has no term but the identity"),
        (SparsePauliOp("ZZIII"), {"reps": 0}, "'reps' must be at least 1"),
        (SparsePauliOp("XZIII"), {"alpha": 0.5, "use_swap_strategies": False}, "diagonal"),
    ],
)
def test_what_qaoa_cannot_run_is_refused(
    operator: SparsePauliOp, options: dict[str, object], message: str
) -> None:
    with pytest.raises(ProgramInputError, match=message):
        run_qaoa(line_device(7), lambda m: None, operator=operator, **options)


def test_no_line_long_enough_is_refused() -> None:
    star = ProgramBackend(GenericBackendV2(4, coupling_map=[[0, 1], [0, 2], [0, 3]], seed=1))
    with pytest.raises(ProgramInputError, match="no line of 4 coupled qubits"):
        run_qaoa(star, lambda m: None, operator=SparsePauliOp("ZZZI") @ SparsePauliOp("IZZZ"))


def test_a_circuit_given_with_classical_bits_keeps_them_through_the_move() -> None:
    from runtime_kit.algorithms.qaoa import _swap_compiler

    circuit = QuantumCircuit(2, 2)
    circuit.x(0)
    circuit.measure([0, 1], [0, 1])
    backend = line_device(3)
    compiled = _swap_compiler(backend, [0, 1], [1, 0])([circuit])[0]
    counts = backend.run(compiled, shots=10).result().get_counts()
    assert counts == {"01": 10}  # the variable order moves wires, never the outcome's bits
