"""What legacy clients sent to IBM's public programs decodes into today's equivalents: opflow
operators into SparsePauliOp, qiskit.algorithms optimizers into qiskit-algorithms ones, the
recorded inputs of qiskit-nature's and qiskit-optimization's clients and of the tutorials into
values the built-in programs take; and a class off the allow-list is still refused."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
from qiskit import QuantumCircuit
from qiskit.quantum_info import SparsePauliOp
from qiskit_algorithms.optimizers import COBYLA, L_BFGS_B, QNSPSA, SPSA

from runtime_kit import RuntimeDecoder
from runtime_kit.errors import DecodeError, UnsafeSettingsError
from tests.interop.application_vectors import names, run_of, sent


def decode(text: str) -> Any:
    return json.loads(text, cls=RuntimeDecoder)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("opflow_pauli_op", SparsePauliOp("ZZII")),
        ("opflow_pauli_sum_op", SparsePauliOp.from_list([("ZZI", 1), ("IZZ", -1), ("XII", 0.5)])),
        ("opflow_pauli_sum_op_complex", SparsePauliOp.from_list([("XY", 2.5), ("ZI", -1.25j)])),
        ("opflow_tapered_pauli_sum_op", SparsePauliOp.from_list([("X", -1), ("I", -0.5)])),
        ("opflow_summed_op", SparsePauliOp.from_list([("ZZ", 2.0), ("XX", 1.0)])),
    ],
)
def test_opflow_operators_become_sparse_pauli_ops(name: str, expected: SparsePauliOp) -> None:
    decoded = decode(sent(name))
    assert isinstance(decoded, SparsePauliOp)
    assert decoded.simplify() == expected.simplify()


def test_legacy_optimizers_become_qiskit_algorithms_ones_with_their_settings() -> None:
    spsa = decode(sent("optimizer_spsa"))
    assert isinstance(spsa, SPSA) and spsa.maxiter == 50
    cobyla = decode(sent("optimizer_cobyla"))
    assert isinstance(cobyla, COBYLA) and cobyla.settings["maxiter"] == 10
    bfgs = decode(sent("optimizer_l_bfgs_b"))
    assert isinstance(bfgs, L_BFGS_B) and bfgs.settings["maxiter"] == 5
    qnspsa = decode(sent("optimizer_qnspsa"))
    assert isinstance(qnspsa, QNSPSA) and qnspsa.maxiter == 3
    assert qnspsa.fidelity is None  # a function cannot travel: the vqe program builds it


def test_the_vqe_clients_inputs_decode_into_what_the_vqe_program_takes() -> None:
    run = run_of("vqe_client_h2")
    assert (run["program_id"], run["options"]) == ("vqe", {"backend_name": "ibmq_qasm_simulator"})
    inputs = decode(run["payload"])
    assert set(inputs) == {
        "operator", "aux_operators", "ansatz", "optimizer", "initial_point", "shots",
        "measurement_error_mitigation", "store_intermediate",
    }  # fmt: skip
    assert isinstance(inputs["operator"], SparsePauliOp) and inputs["operator"].num_qubits == 2
    assert set(inputs["aux_operators"]) == {"ParticleNumber", "ZZ"}  # a dict by name
    assert isinstance(inputs["ansatz"], QuantumCircuit) and inputs["ansatz"].num_parameters == 4
    assert isinstance(inputs["optimizer"], COBYLA)
    np.testing.assert_array_equal(inputs["initial_point"], np.zeros(4))


def test_the_dict_optimizer_and_the_list_of_aux_operators_of_vqe_program() -> None:
    inputs = decode(run_of("vqe_program_dict_optimizer")["payload"])
    assert inputs["optimizer"] == {"name": "SPSA", "maxiter": 10}
    assert inputs["aux_operators"] == {"0": SparsePauliOp("IIZZ")}  # qiskit-nature: by index


def test_the_qaoa_clients_inputs() -> None:
    inputs = decode(run_of("qaoa_client_qubo")["payload"])
    assert inputs["operator"].num_qubits == 3
    assert (inputs["reps"], inputs["alpha"], inputs["initial_point"]) == (2, 0.75, None)
    assert isinstance(inputs["optimizer"], SPSA) and inputs["optimizer"].maxiter == 300
    tutorial = decode(run_of("qaoa_tutorial")["payload"])
    assert tutorial["operator"].num_qubits == 5 and len(tutorial["operator"]) == 7


def test_the_qka_notebooks_feature_map_arrives_as_its_json_text() -> None:
    inputs = decode(run_of("qka_notebook")["payload"])
    assert json.loads(inputs["feature_map"]) == {"feature_dimension": 4, "entangler_map": [[0, 1]]}
    assert inputs["data"].shape == (8, 4) and inputs["labels"].shape == (8,)


def test_every_vector_decodes() -> None:
    for name in names():
        assert decode(sent(name)) is not None, name


def test_other_opflow_classes_stay_off_the_allow_list() -> None:
    list_op = {
        "__type__": "settings",
        "__module__": "qiskit.opflow.list_ops.list_op",
        "__class__": "ListOp",
        "__value__": {"oplist": []},
    }
    with pytest.raises(UnsafeSettingsError, match=r"qiskit\.opflow\.list_ops\.list_op\.ListOp"):
        decode(json.dumps(list_op))


def settings(path: str, value: object) -> dict[str, object]:
    module, _, name = path.rpartition(".")
    return {"__type__": "settings", "__module__": module, "__class__": name, "__value__": value}


PAULI = "qiskit.quantum_info.operators.symplectic.pauli.Pauli"
PAULI_OP = "qiskit.opflow.primitive_ops.pauli_op.PauliOp"
SUMMED_OP = "qiskit.opflow.list_ops.summed_op.SummedOp"
PAULI_SUM_OP = "qiskit.opflow.primitive_ops.pauli_sum_op.PauliSumOp"


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (settings(PAULI_OP, {"primitive": "ZZ"}), "primitive must be a Pauli, not str"),
        (
            settings(PAULI_OP, {"primitive": settings(PAULI, {"data": "ZZ"}), "coeff": "1"}),
            "coeff must be a number, not str",
        ),
        (settings(PAULI_SUM_OP, {"primitive": 2}), "expected Pauli operators, found int"),
        (settings(SUMMED_OP, {"oplist": []}), "oplist must be a non-empty list"),
        (
            settings(
                SUMMED_OP,
                {
                    "oplist": [
                        settings(PAULI_OP, {"primitive": settings(PAULI, {"data": "ZZ"})}),
                        settings(PAULI_OP, {"primitive": settings(PAULI, {"data": "Z"})}),
                    ]
                },
            ),
            "act on different numbers of qubits",
        ),
    ],
)
def test_opflow_settings_that_do_not_fit_are_a_decode_error(
    document: dict[str, object], message: str
) -> None:
    with pytest.raises(DecodeError, match=f"cannot rebuild .* from its settings .*{message}"):
        decode(json.dumps(document))
