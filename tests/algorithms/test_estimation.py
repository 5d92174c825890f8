"""Expectation values from measured counts (``PauliEstimator``), as the legacy VQE's
PauliExpectation and CVaRExpectation computed them: against exact values, with readout
mitigation on a noisy device, and the inputs that cannot work."""

from __future__ import annotations

import numpy as np
import pytest
from qiskit import QuantumCircuit, transpile
from qiskit.circuit import Parameter
from qiskit.circuit.library import efficient_su2
from qiskit.quantum_info import SparsePauliOp, Statevector

from runtime_kit.algorithms.estimation import PauliEstimator, measured
from runtime_kit.algorithms.inputs import ProgramInputError
from runtime_kit.algorithms.mitigation import measured_qubits
from runtime_kit.harness.backends import build_backend, parse_backend


def estimator(
    circuit: QuantumCircuit, operator: SparsePauliOp, backend, **options
) -> PauliEstimator:
    return PauliEstimator(
        circuit,
        operator,
        backend,
        compile=lambda circuits: transpile(circuits, backend, seed_transpiler=1),
        **{"shots": 20_000, **options},
    )


def test_estimates_agree_with_the_exact_value_within_their_standard_deviation() -> None:
    backend = build_backend(parse_backend("aer"), seed=3)
    ansatz = efficient_su2(3, reps=1)
    operator = SparsePauliOp.from_list(
        [("ZZI", 1.0), ("IXX", 0.5), ("YIY", -0.3), ("XYZ", 0.25), ("III", 0.2)]
    )
    point = np.linspace(0.1, 1.5, ansatz.num_parameters)
    exact = Statevector(ansatz.assign_parameters(point)).expectation_value(operator).real
    estimate = estimator(ansatz, operator, backend).estimate(point)
    # five groups' variances, 20,000 shots each: sigma about 0.008
    assert 0.003 < estimate.std < 0.02
    assert abs(estimate.mean - exact) < 5 * estimate.std


def test_qubit_wise_commuting_terms_share_one_measured_circuit() -> None:
    backend = build_backend(parse_backend("aer"), seed=1)
    ansatz = efficient_su2(2, reps=1)
    operator = SparsePauliOp.from_list([("ZZ", 1), ("ZI", 1), ("XX", 1), ("IX", 1), ("II", 1)])
    compiled = estimator(ansatz, operator, backend).compiled
    assert len(compiled) == 3  # {ZZ, ZI, II}, {XX, IX}, and the sampling circuit


def test_the_basis_of_each_qubit_is_rotated_before_measuring() -> None:
    theta = Parameter("t")
    circuit = QuantumCircuit(3)
    circuit.rx(theta, 0)
    text = measured(circuit, "XYZ")
    names = [instruction.operation.name for instruction in text.data]
    assert names == ["rx", "h", "sdg", "h", "measure", "measure", "measure"]
    assert text.num_clbits == 3


def test_a_constant_operator_and_a_deterministic_state_have_no_spread() -> None:
    backend = build_backend(parse_backend("aer"), seed=1)
    circuit = QuantumCircuit(2)
    circuit.x(0)  # |01>: Z on qubit 0 reads -1
    operator = SparsePauliOp.from_list([("IZ", 2.0), ("II", 0.5)])
    estimate = estimator(circuit, operator, backend, shots=100).estimate([])
    assert (estimate.mean, estimate.std) == (-1.5, 0.0)
    assert estimator(circuit, operator, backend, shots=100).sample([]) == {"01": 1.0}


def test_cvar_keeps_the_best_alpha_of_the_samples() -> None:
    """Uniform over 00, 01, 10, 11 with Z0 + Z1: energies 2, 0, 0, -2 (a quarter each)."""
    backend = build_backend(parse_backend("aer"), seed=2)
    circuit = QuantumCircuit(2)
    circuit.h([0, 1])
    operator = SparsePauliOp.from_list([("IZ", 1.0), ("ZI", 1.0)])
    best_fifth = estimator(circuit, operator, backend, alpha=0.2).estimate([])
    assert (best_fifth.mean, best_fifth.std) == (-2.0, 0.0)  # all of it from 11
    half = estimator(circuit, operator, backend, alpha=0.5).estimate([])
    # -2 for a quarter, 0 for a quarter; 20,000 shots put a quarter within +-0.003 (1 sigma)
    assert half.mean == pytest.approx(-1.0, abs=0.05)
    everything = estimator(circuit, operator, backend, alpha=1.0).estimate([])
    assert everything.mean == pytest.approx(0.0, abs=5 * everything.std)


def test_mitigation_removes_the_readout_errors_of_a_noisy_device() -> None:
    backend = build_backend(parse_backend("noisy-2"), seed=4)
    circuit = QuantumCircuit(2)  # |00>: <ZZ> = <ZI> = 1 exactly
    operator = SparsePauliOp.from_list([("ZZ", 1.0), ("ZI", 1.0)])
    raw = estimator(circuit, operator, backend).estimate([])
    mitigated = estimator(circuit, operator, backend, mitigate=True).estimate([])
    # readout errors of 2 and 3 %: raw <ZZ> + <ZI> is about 2 - 2*(0.05 + 0.03)
    assert raw.mean < 1.9
    assert mitigated.mean == pytest.approx(2.0, abs=0.02)
    sampled = estimator(circuit, operator, backend, mitigate=True).sample([])
    assert sampled["00"] > 0.99 and all(p > 0 for p in sampled.values())


@pytest.mark.parametrize(
    ("circuit", "operator", "alpha", "message"),
    [
        (QuantumCircuit(2), SparsePauliOp("ZZZ"), 1.0, "the ansatz has 2 qubits, the operator"),
        (QuantumCircuit(2, 2), SparsePauliOp("ZZ"), 1.0, "no classical bits"),
        (QuantumCircuit(2), SparsePauliOp("XZ"), 0.5, "needs a diagonal operator"),
        (QuantumCircuit(2), SparsePauliOp("ZZ"), 0.0, r"'alpha' must be in \(0, 1\]"),
        (QuantumCircuit(2), SparsePauliOp("ZZ"), 1.5, r"'alpha' must be in \(0, 1\]"),
    ],
)
def test_what_cannot_be_estimated_is_refused_before_running(
    circuit: QuantumCircuit, operator: SparsePauliOp, alpha: float, message: str
) -> None:
    with pytest.raises(ProgramInputError, match=message):
        estimator(circuit, operator, build_backend(parse_backend("aer"), seed=1), alpha=alpha)


def test_mitigation_calibrates_the_physical_qubits_the_layout_chose() -> None:
    backend = build_backend(parse_backend("noisy-5"), seed=1)
    compiled = transpile(measured(QuantumCircuit(2), "ZZ"), backend, initial_layout=[3, 1])
    assert measured_qubits(compiled) == [3, 1]  # clbit 0 reads qubit 3, clbit 1 qubit 1
