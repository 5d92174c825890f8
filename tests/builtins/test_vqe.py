"""The built-in ``vqe`` program through the local harness, on the inputs legacy clients sent
(qiskit-nature's VQEClient and VQEProgram, tutorials/vqe.ipynb): the energies it finds, the
interim results and result IBM documented (checked against its metadata by the harness: no
warnings), seeds, and inputs it refuses."""

from __future__ import annotations

import json

import numpy as np
import pytest

from runtime_kit.testing import run_program
from tests.conftest import ROOT
from tests.interop.application_vectors import run_of, sent

VQE = ROOT / "runtime_kit" / "builtin_programs" / "vqe"
H2_GROUND_ENERGY = -1.857275  # the electronic energy of the example's H2 Hamiltonian
RESULT_FIELDS = {
    "optimizer_evals", "optimizer_time", "optimal_value", "optimal_point", "optimal_parameters",
    "cost_function_evals", "eigenstate", "eigenvalue", "aux_operator_eigenvalues",
    "optimizer_history",
}  # fmt: skip


def legacy_inputs(name: str, **changes: object) -> str:
    """The wire text a legacy client sent, with ``changes`` (plain JSON values) applied."""
    inputs = json.loads(run_of(name)["payload"])
    inputs.update(changes)
    return json.dumps(inputs)


def test_qiskit_natures_vqe_client_on_h2_reaches_the_ground_energy() -> None:
    """The example: what VQEClient sent (COBYLA, aux operators by name, 4096 shots)."""
    record = run_program(VQE, seed=1)
    assert (record.status, record.error, record.warnings) == ("DONE", None, [])
    result = record.result
    assert set(result) == RESULT_FIELDS
    # from -1.06 at the initial point (zeros); each evaluation has 4096 shots of noise
    assert result["optimal_value"] == pytest.approx(H2_GROUND_ENERGY, abs=0.06)
    assert result["eigenvalue"] == pytest.approx(result["optimal_value"])
    assert isinstance(result["eigenvalue"], complex) and result["optimal_parameters"] is None
    assert result["optimal_point"].shape == (4,)
    assert result["optimizer_history"] is None  # COBYLA reports no iterations
    assert sum(amplitude**2 for amplitude in result["eigenstate"].values()) == pytest.approx(1)
    aux = result["aux_operator_eigenvalues"]
    assert set(aux) == {"ParticleNumber", "ZZ"}  # the names the client sent, which it reads
    assert aux["ParticleNumber"] == [1.0, 0.0]  # the identity: exactly 1
    assert aux["ZZ"][0].real < -0.8  # H2's ground state is a 01 + b 10 (<ZZ> = -1); 00 has +1
    interim = record.interim_results
    assert len(interim) == result["cost_function_evals"]
    assert [message[0] for message in interim] == list(range(1, len(interim) + 1))
    _, parameters, energy, std = interim[-1]
    assert parameters.shape == (4,) and isinstance(energy, float) and 0 < std < 0.05


def test_the_tutorials_spsa_dict_and_mitigation_on_a_noisy_device() -> None:
    """tutorials/vqe.ipynb: SPSA as a dict (5 iterations), readout mitigation, 4 qubits."""
    record = run_program(VQE, inputs_text=legacy_inputs("vqe_tutorial"), backend="noisy:5", seed=2)
    assert (record.status, record.error, record.warnings) == ("DONE", None, [])
    result = record.result
    assert result["optimizer_evals"] == 5
    history = result["optimizer_history"]
    assert len(history["loss"]) == len(history["params"]) == len(history["time"]) == 5
    assert history["time"] == sorted(history["time"])
    # 50 evaluations calibrate SPSA's learning rate, then a few per iteration
    assert result["cost_function_evals"] == len(record.interim_results) > 50 + 2 * 5
    assert -1 <= result["optimal_value"] <= 1  # <ZZ> of a 4-qubit state


def test_vqe_program_with_an_spsa_dict_and_a_list_of_aux_operators() -> None:
    record = run_program(VQE, inputs_text=legacy_inputs("vqe_program_dict_optimizer"), seed=3)
    assert (record.status, record.error, record.warnings) == ("DONE", None, [])
    aux = record.result["aux_operator_eigenvalues"]
    assert set(aux) == {"0"}  # qiskit-nature 0.4 sends a list as a dict by index
    mean, std = aux["0"]  # <IIZZ> at the optimum (the operator was ZZII)
    assert -1 <= mean.real <= 1 and mean.imag == 0 and 0 < std < 0.05


def test_a_seed_repeats_a_run_and_another_seed_does_not() -> None:
    def energies(seed: int) -> list[float]:
        inputs = legacy_inputs("vqe_client_h2", initial_point=None, optimizer={"maxiter": 2})
        record = run_program(VQE, inputs_text=inputs, seed=seed)
        assert record.status == "DONE", record.error
        return [message[2] for message in record.interim_results]

    assert energies(4) == energies(4)
    assert energies(4) != energies(5)


def test_qn_spsa_gets_its_fidelity_on_the_backend() -> None:
    inputs = legacy_inputs("vqe_client_h2", optimizer={"name": "QN-SPSA", "maxiter": 3})
    record = run_program(VQE, inputs_text=inputs, seed=6)
    assert (record.status, record.error, record.warnings) == ("DONE", None, [])
    assert len(record.result["optimizer_history"]["loss"]) == 3


def test_a_legacy_l_bfgs_b_object_runs() -> None:
    optimizer = json.loads(sent("optimizer_l_bfgs_b"))
    inputs = legacy_inputs("vqe_client_h2", optimizer=optimizer, aux_operators=None)
    record = run_program(VQE, inputs_text=inputs, seed=7)
    assert (record.status, record.error, record.warnings) == ("DONE", None, [])
    assert record.result["optimizer_evals"] <= 5
    assert record.result["aux_operator_eigenvalues"] is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"operator": "ZZZ", "aux_operators": None},
            "the ansatz has 2 qubits, the operator acts on 3",
        ),
        (
            {"initial_point": [0.1, 0.2]},
            "input 'initial_point' has 2 values; the ansatz has 4 parameters",
        ),
        (
            {"optimizer": {"name": "ADAM"}},
            "input 'optimizer': a dict names SPSA or QN-SPSA, not 'ADAM'",
        ),
        (
            {"aux_operators": ["ZZZ"]},
            "input 'aux_operators[0]' acts on 3 qubits, the operator on 2",
        ),
    ],
)
def test_inputs_it_cannot_use_fail_the_job_with_their_reason(
    changes: dict[str, object], message: str
) -> None:
    record = run_program(VQE, inputs_text=legacy_inputs("vqe_client_h2", **changes), seed=1)
    assert record.status == "ERROR"
    assert f"ProgramInputError: {message}" in record.error


def test_inputs_it_does_not_know_are_named_in_the_logs() -> None:
    inputs = legacy_inputs("vqe_client_h2", max_evals_grouped=4, optimizer={"maxiter": 1})
    record = run_program(VQE, inputs_text=inputs, seed=1)
    assert record.status == "DONE", record.error
    assert "inputs not used by vqe: max_evals_grouped" in record.logs


def test_ibms_metadata_name_initial_parameters_is_taken_too() -> None:
    inputs = json.loads(legacy_inputs("vqe_client_h2", optimizer={"maxiter": 1}))
    inputs["initial_parameters"] = inputs.pop("initial_point")
    record = run_program(VQE, inputs_text=json.dumps(inputs), seed=1)
    assert record.status == "DONE", record.error
    first = record.interim_results[0]
    assert first[1].shape == (4,)
    # SPSA's first evaluations are around the given point (zeros), not a random one
    assert np.max(np.abs(first[1])) < 0.5
