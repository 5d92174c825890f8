"""The built-in ``qaoa`` program through the local harness, on the inputs legacy clients sent
(qiskit-optimization's QAOAClient under MinimumEigenOptimizer, and the raw run of its
tutorial): the solution it finds, the interim results and result IBM documented (checked
against its metadata by the harness: no warnings), the recorded inputs, and refusals."""

from __future__ import annotations

import json

import pytest
from qiskit.quantum_info import SparsePauliOp

from runtime_kit.testing import run_program
from tests.conftest import ROOT
from tests.interop.application_vectors import run_of

QAOA = ROOT / "runtime_kit" / "builtin_programs" / "qaoa"
RESULT_FIELDS = {
    "optimizer_time", "optimal_value", "optimal_point", "optimal_parameters",
    "cost_function_evals", "eigenstate", "eigenvalue", "aux_operator_eigenvalues",
    "optimizer_history", "inputs",
}  # fmt: skip


def legacy_inputs(name: str, **changes: object) -> str:
    inputs = json.loads(run_of(name)["payload"])
    inputs.update(changes)
    return json.dumps(inputs)


def test_qaoa_client_finds_the_qubos_solution() -> None:
    """The example: QAOAClient(reps=2, alpha=0.75) on the tutorial's QUBO, whose minimum
    is x=0, y=1, z=0 (-2): the bitstring 010 (z y x), the most likely in the eigenstate."""
    record = run_program(QAOA, seed=1)
    assert (record.status, record.error, record.warnings) == ("DONE", None, [])
    result = record.result
    assert set(result) == RESULT_FIELDS
    best = max(result["eigenstate"], key=result["eigenstate"].get)
    assert best == "010"
    assert result["optimal_point"].shape == (4,)  # beta 1, beta 2, gamma 1, gamma 2
    history = result["optimizer_history"]
    evaluations = result["cost_function_evals"]
    assert (
        history["nfevs"]
        == list(range(1, evaluations + 1))
        == [m[0] for m in record.interim_results]
    )
    assert history["energy"] == [message[2] for message in record.interim_results]
    assert result["inputs"]["alpha"] == 0.75 and result["inputs"]["reps"] == 2
    assert result["inputs"]["optimizer"]["__class__.__name__"] == "SPSA"
    assert result["inputs"]["optimizer"]["settings"]["maxiter"] == 300  # QAOAClient's default
    assert len(result["inputs"]["initial_point"]) == 4  # drawn: the client sent none


def test_the_tutorials_run_and_its_cut_distribution() -> None:
    """qiskit-optimization's tutorial reads ``inputs.operator`` back as a list of
    (Pauli, coefficient) and squares the eigenstate's amplitudes."""
    record = run_program(QAOA, inputs_text=legacy_inputs("qaoa_tutorial"), seed=2)
    assert (record.status, record.error, record.warnings) == ("DONE", None, [])
    result = record.result
    operator = SparsePauliOp.from_list(result["inputs"]["operator"])
    assert len(operator) == 7 and operator.num_qubits == 5
    assert sum(a**2 for a in result["eigenstate"].values()) == pytest.approx(1)
    assert all(len(bits) == 5 for bits in result["eigenstate"])
    first, last = result["optimizer_history"]["energy"][0], result["optimal_value"]
    assert last < first  # SPSA (100 iterations) improved on the random start
    assert result["inputs"]["shots"] == 2**13 and result["inputs"]["use_swap_strategies"] is False


def test_a_seed_repeats_a_run() -> None:
    inputs = legacy_inputs("qaoa_client_qubo", optimizer={"maxiter": 3})
    runs = [run_program(QAOA, inputs_text=inputs, seed=3) for _ in range(2)]
    assert all(run.status == "DONE" for run in runs), runs[0].error
    assert runs[0].interim_texts == runs[1].interim_texts  # every evaluation's energy
    first, second = (run.result for run in runs)
    assert first["eigenstate"] == second["eigenstate"]


def test_aux_operators_and_options_a_simulator_does_not_need() -> None:
    inputs = legacy_inputs(
        "qaoa_client_qubo",
        optimizer={"maxiter": 2},
        aux_operators=["ZZI", "III"],
        use_swap_strategies=True,
        use_pulse_efficient=True,
        measurement_error_mitigation=True,
    )
    record = run_program(QAOA, inputs_text=inputs, backend="noisy:5", seed=4)
    assert (record.status, record.error, record.warnings) == ("DONE", None, [])
    (zz_mean, zz_std), (identity, zero) = record.result["aux_operator_eigenvalues"]
    assert -1 <= zz_mean.real <= 1 and 0 < zz_std < 0.1
    # quasi-probabilities sum to 1 (to the mitigation's numerical precision: ~1e-6 seen)
    assert identity == pytest.approx(1.0, abs=1e-4) and abs(zero) < 1e-4
    assert record.result["inputs"]["aux_operators"] == [[["ZZI", 1]], [["III", 1]]]
    assert (
        "use_pulse_efficient not applied: pulse calibrations are gone from qiskit 2" in record.logs
    )
    assert "the backend couples every pair of qubits, no swaps are needed" in record.logs


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"alpha": 0.5, "operator": "XZZ"}, "needs a diagonal operator"),
        ({"initial_point": [0.1, 0.2]}, "input 'initial_point' has 2 values; the ansatz has 4"),
        ({"operator": "III"}, "has no term but the identity"),
    ],
)
def test_inputs_it_cannot_use_fail_the_job_with_their_reason(
    changes: dict[str, object], message: str
) -> None:
    record = run_program(QAOA, inputs_text=legacy_inputs("qaoa_client_qubo", **changes), seed=1)
    assert record.status == "ERROR"
    assert message in record.error


def test_the_schema_refuses_what_ibm_documented_as_invalid() -> None:
    from runtime_kit import InputValueError

    with pytest.raises(InputValueError, match="reps"):
        run_program(QAOA, inputs_text=legacy_inputs("qaoa_client_qubo", reps=0), seed=1)
    with pytest.raises(InputValueError, match="alpha"):
        run_program(QAOA, inputs_text=legacy_inputs("qaoa_client_qubo", alpha=1.5), seed=1)
