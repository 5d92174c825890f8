"""Legacy Qobjs back into circuits (``runtime_kit.qobj``), on hand-written Qobjs in the shape
qiskit-terra 0.23's ``assemble`` wrote (the legacy venv's own Qobjs, and the legacy Result
reading ours, are in tests/interop/test_legacy_backend_run.py)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from qiskit_aer import AerSimulator

from runtime_kit.errors import InputValueError
from runtime_kit.qobj.circuits import qobj_circuits
from runtime_kit.qobj.results import legacy_result


def experiment(
    instructions: list[dict[str, Any]],
    qregs: list[list[Any]] | None = None,
    cregs: list[list[Any]] | None = None,
    name: str = "circuit",
) -> dict[str, Any]:
    qregs = qregs if qregs is not None else [["q", 2]]
    cregs = cregs if cregs is not None else [["c", 2]]
    n_qubits = sum(size for _, size in qregs)
    slots = sum(size for _, size in cregs)
    return {
        "config": {"n_qubits": n_qubits, "memory_slots": slots},
        "header": {
            "qubit_labels": [[n, i] for n, size in qregs for i in range(size)],
            "n_qubits": n_qubits,
            "qreg_sizes": qregs,
            "clbit_labels": [[n, i] for n, size in cregs for i in range(size)],
            "memory_slots": slots,
            "creg_sizes": cregs,
            "name": name,
            "global_phase": 0.0,
            "metadata": {"mine": 1},
        },
        "instructions": copy.deepcopy(instructions),
    }


def qobj(*experiments: dict[str, Any], **config: Any) -> dict[str, Any]:
    return {
        "qobj_id": "q-1",
        "type": "QASM",
        "schema_version": "1.3.0",
        "header": {"backend_name": "ibmq_qasm_simulator", "backend_version": "0.1.547"},
        "config": {"shots": 256, "memory": False, "seed_simulator": 11, **config},
        "experiments": list(experiments),
    }


BELL = [
    {"name": "h", "qubits": [0]},
    {"name": "cx", "qubits": [0, 1]},
    {"name": "measure", "qubits": [0], "memory": [0]},
    {"name": "measure", "qubits": [1], "memory": [1]},
]


def run(document: dict[str, Any]) -> dict[str, Any]:
    """The legacy result dict of running ``document`` on Aer, through JSON as it travels."""
    loaded = qobj_circuits(json.loads(json.dumps(document)))
    result = AerSimulator().run(loaded.circuits, **loaded.run_options).result()
    answer = legacy_result(result, loaded, job_id="job-1", backend_name="aer_simulator")
    return json.loads(json.dumps(answer))


def test_a_bell_pair_runs_with_the_qobjs_shots_seed_and_headers() -> None:
    loaded = qobj_circuits(qobj(experiment(BELL, name="bell"), memory=True))
    assert loaded.run_options == {"shots": 256, "memory": True, "seed_simulator": 11}
    (circuit,) = loaded.circuits
    assert circuit.name == "bell" and circuit.metadata == {"mine": 1}
    assert dict(circuit.count_ops()) == {"h": 1, "cx": 1, "measure": 2}
    answer = run(qobj(experiment(BELL, name="bell"), memory=True))
    (result,) = answer["results"]
    assert set(result["data"]["counts"]) == {"0x0", "0x3"}
    assert sum(result["data"]["counts"].values()) == 256 and len(result["data"]["memory"]) == 256
    assert result["header"]["creg_sizes"] == [["c", 2]] and result["header"]["name"] == "bell"
    assert (answer["job_id"], answer["qobj_id"], answer["backend_name"]) == (
        "job-1",
        "q-1",
        "ibmq_qasm_simulator",
    )
    assert answer["header"] == {"backend_name": "ibmq_qasm_simulator", "backend_version": "0.1.547"}
    counts = [run(qobj(experiment(BELL)))["results"][0]["data"]["counts"] for _ in range(2)]
    assert counts[0] == counts[1]  # the Qobj's seed_simulator


def test_registers_are_rebuilt_in_their_order() -> None:
    measured = [
        {"name": "x", "qubits": [2]},
        {"name": "measure", "qubits": [2], "memory": [0]},
        {"name": "measure", "qubits": [0], "memory": [2]},
    ]
    document = qobj(experiment(measured, [["a", 1], ["b", 2]], [["m", 1], ["n", 2]]))
    (circuit,) = qobj_circuits(document).circuits
    assert [r.name for r in circuit.qregs] == ["a", "b"]
    assert [(r.name, r.size) for r in circuit.cregs] == [("m", 1), ("n", 2)]
    (result,) = run(document)["results"]
    assert result["data"]["counts"] == {"0x1": 256}  # slot 0 (register m) is 1


def test_a_condition_on_a_register_and_on_one_bit() -> None:
    on_register = [
        {"name": "x", "qubits": [0]},
        {"name": "measure", "qubits": [0], "memory": [0], "register": [0]},
        {"name": "bfunc", "register": 2, "mask": "0x1", "relation": "==", "val": "0x1"},
        {"name": "x", "qubits": [1], "conditional": 2},
        {"name": "measure", "qubits": [1], "memory": [1], "register": [1]},
    ]
    first = experiment(on_register, cregs=[["a", 1], ["b", 1]])
    not_taken = copy.deepcopy(first)
    not_taken["instructions"][2]["val"] = "0x0"
    on_bit = experiment(on_register, cregs=[["c", 2]])
    results = run(qobj(first, not_taken, on_bit))["results"]
    assert [r["data"]["counts"] for r in results] == [{"0x3": 256}, {"0x1": 256}, {"0x3": 256}]


def test_unitary_initialize_pauli_barrier_reset_and_delay() -> None:
    swap = [[[0, 0], [0, 0], [0, 0], [1, 0]]]
    instructions = [
        {"name": "initialize", "qubits": [0], "params": [[0, 0], [1, 0]]},
        {"name": "barrier", "qubits": [0, 1]},
        {"name": "unitary", "qubits": [0, 1], "params": [[
            [[1, 0], [0, 0], [0, 0], [0, 0]],
            [[0, 0], [0, 0], [1, 0], [0, 0]],
            [[0, 0], [1, 0], [0, 0], [0, 0]],
            swap[0],
        ]]},
        {"name": "delay", "qubits": [0], "params": [160]},
        {"name": "pauli", "qubits": [0, 1], "params": ["XI"]},
        {"name": "reset", "qubits": [1]},
        {"name": "measure", "qubits": [0], "memory": [0]},
        {"name": "measure", "qubits": [1], "memory": [1]},
    ]  # fmt: skip
    (result,) = run(qobj(experiment(instructions)))["results"]
    # |01> swapped to |10>, then X on qubit 1 gives |00>... and qubit 1 reset: 0x0
    assert result["data"]["counts"] == {"0x0": 256}


def test_every_standard_gate_runs_by_name() -> None:
    gates = [
        {"name": "u3", "qubits": [0], "params": [0.1, 0.2, 0.3]},
        {"name": "u2", "qubits": [1], "params": [0.1, 0.2]},
        {"name": "u1", "qubits": [0], "params": [0.5]},
        {"name": "rz", "qubits": [1], "params": [0.5]},
        {"name": "sx", "qubits": [0]},
        {"name": "id", "qubits": [1]},
        {"name": "mcx", "qubits": [0, 1]},
        {"name": "mcphase", "qubits": [0, 1], "params": [0.2]},
        {"name": "measure", "qubits": [0, 1], "memory": [0, 1]},
    ]
    (circuit,) = qobj_circuits(qobj(experiment(gates))).circuits
    assert [op.operation.name for op in circuit.data][:6] == ["u3", "u2", "u1", "rz", "sx", "id"]
    assert sum(run(qobj(experiment(gates)))["results"][0]["data"]["counts"].values()) == 256


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda q: q.update(type="PULSE"), "only QASM Qobjs run here"),
        (lambda q: q.update(experiments=[]), "the Qobj has no experiments"),
        (lambda q: q["config"].update(shots=0), "config.shots must be an integer from 1"),
        (lambda q: q["config"].update(shots=True), "config.shots must be an integer from 1"),
        (lambda q: q["config"].update(memory="yes"), "config.memory must be true or false"),
        (lambda q: q["config"].update(seed_simulator=-1), "config.seed_simulator"),
        (lambda q: q["experiments"][0].update(instructions={}), "instructions must be a list"),
        (
            lambda q: q["experiments"][0]["instructions"].append(
                {"name": "snapshot", "qubits": [0]}
            ),
            "experiment 0, instruction 4: 'snapshot' is not an instruction this service runs",
        ),
        (
            lambda q: q["experiments"][0]["instructions"].append({"name": "h", "qubits": [5]}),
            "experiment 0, instruction 4 (h) qubit 5 is out of range (the experiment has 2)",
        ),
        (
            lambda q: q["experiments"][0]["instructions"].append({"name": "cx", "qubits": [0]}),
            "cx acts on 2 qubit(s), not 1",
        ),
        (
            lambda q: q["experiments"][0]["instructions"].append(
                {"name": "rz", "qubits": [0], "params": ["pi"]}
            ),
            "(rz) param: expected a number, not 'pi'",
        ),
        (
            lambda q: q["experiments"][0]["instructions"].append(
                {"name": "x", "qubits": [0], "conditional": 9}
            ),
            "conditional on register 9, which no bfunc set",
        ),
        (
            lambda q: q["experiments"][0]["instructions"].append(
                {"name": "bfunc", "register": 3, "mask": "0x3", "val": "0x1", "relation": "!="}
            ),
            "bfunc relation '!=' (only ==)",
        ),
        (
            lambda q: q["experiments"][0]["instructions"].append(
                {"name": "bfunc", "register": 3, "mask": "ff", "val": "0x1"}
            ),
            "bfunc mask and val are hexadecimal strings",
        ),
        (
            lambda q: q["experiments"][0]["header"].update(creg_sizes=[["c", -1]]),
            "creg_sizes: expected a non-negative integer",
        ),
        (
            lambda q: q["experiments"][0]["instructions"].append(
                {"name": "unitary", "qubits": [0], "params": [[[[1, 0], [0, 0]], [[1, 0], [0, 0]]]]}
            ),
            "unitary: ",
        ),
        (
            lambda q: q["experiments"][0]["instructions"].append(
                {"name": "measure", "qubits": [0, 1], "memory": [0]}
            ),
            "measure needs one memory slot per qubit",
        ),
    ],
)
def test_what_cannot_be_read_is_refused_saying_where(change: Any, message: str) -> None:
    document = qobj(experiment(BELL))
    change(document)
    with pytest.raises(InputValueError) as refused:
        qobj_circuits(document)
    assert message in str(refused.value)


def test_a_bfunc_over_bits_of_two_registers_is_refused() -> None:
    instructions = [
        {"name": "bfunc", "register": 3, "mask": "0x6", "relation": "==", "val": "0x2"},
        {"name": "x", "qubits": [0], "conditional": 3},
    ]
    document = qobj(experiment(instructions, cregs=[["a", 2], ["b", 1]]))
    with pytest.raises(InputValueError, match=r"memory slots \[1, 2\] that are not one register"):
        qobj_circuits(document)
