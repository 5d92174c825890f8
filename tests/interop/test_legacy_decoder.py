"""What runtime-kit encodes, the legacy decoder (qiskit-ibmq-provider 0.20.2) reads.

The only gap is QPY: qiskit 2 writes QPY 13+, legacy readers stop at 10, so circuits,
instructions and parameter *expressions* cannot cross.  This test pins that gap exactly.
"""

from __future__ import annotations

import datetime
import json
import subprocess
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import scipy.sparse
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter, ParameterVector
from qiskit.circuit.library import CXGate
from qiskit.quantum_info import Pauli, SparsePauliOp, Statevector
from qiskit.result import Result

from runtime_kit import RuntimeEncoder
from tests.interop.describe import describe
from tests.interop.legacy_env import legacy_python

pytestmark = pytest.mark.legacy
HERE = Path(__file__).parent

QPY_GAP = {"circuit", "instruction", "parameter_expression"}


def values() -> dict[str, Any]:
    from qiskit_algorithms.optimizers import SPSA

    circuit = QuantumCircuit(2)
    circuit.h(0)
    theta, vector = Parameter("theta"), ParameterVector("v", 2)
    return {
        "datetime": datetime.datetime(2024, 5, 6, 7, 8, 9, 10),
        "date": datetime.date(2024, 5, 6),
        "complex": 0.5 - 1j,
        "ndarray_float_1e5": np.random.default_rng(1).random(100_000),
        "ndarray_zeros": np.zeros((300, 300)),
        "ndarray_int": np.arange(10, dtype=np.int16),
        "ndarray_complex": np.array([[1j, 2], [3, -4j]]),
        "ndarray_fortran": np.asfortranarray(np.arange(6.0).reshape(2, 3)),
        "ndarray_object": np.array([1, "a"], dtype=object),
        "numpy_scalars": [np.int64(3), np.float32(0.5), np.bool_(True), np.complex64(1j)],
        "set": {3, 1, 2},
        "result": Result.from_dict(
            {
                "backend_name": "aer_simulator",
                "backend_version": "1",
                "qobj_id": "q",
                "job_id": "j",
                "success": True,
                "results": [
                    {
                        "shots": 10,
                        "success": True,
                        "data": {"counts": {"0x1": 10}},
                        "header": {"name": "c", "memory_slots": 1},
                    }
                ],
            }
        ),
        "sparse_pauli_op": SparsePauliOp(["XZ", "YY"], coeffs=[1.0, 0.5j]),
        "statevector": Statevector([0, 1]),
        "pauli": Pauli("-iXZ"),
        "optimizer_spsa": SPSA(maxiter=7, resamplings={1: 3, 2: 5}),
        "spmatrix": scipy.sparse.csr_matrix(np.eye(3)),
        "spmatrix_coo": scipy.sparse.coo_matrix(np.eye(2)),
        "parameter": theta,
        "parameter_vector_element": vector[1],
        "nested": {"a": [1, {"b": 2 + 3j}], "c": None, "d": "text"},
        "circuit": circuit,
        "instruction": CXGate(),
        "parameter_expression": 2 * theta + 1,
    }


def legacy_decode(payloads: dict[str, str]) -> dict[str, Any]:
    rows = [{"name": name, "payload": text} for name, text in payloads.items()]
    completed = subprocess.run(
        [str(legacy_python()), "-W", "ignore", str(HERE / "describe.py")],
        input=json.dumps(rows),
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return json.loads(completed.stdout)


@pytest.fixture(scope="module")
def decoded_by_legacy() -> tuple[dict[str, Any], dict[str, Any]]:
    originals = values()
    payloads = {name: json.dumps(value, cls=RuntimeEncoder) for name, value in originals.items()}
    return originals, legacy_decode(payloads)


def expected_description(name: str, value: Any) -> Any:
    if name == "numpy_scalars":
        return [3, 0.5, True, {"complex": [0.0, 1.0]}]
    if name == "date":
        return {"datetime": "2024-05-06T00:00:00"}  # the legacy decoder returns a datetime
    if name == "ndarray_object":
        return {"ndarray": ["<U21", [2], ["1", "a"]]}  # np.array(list), as legacy decodes it
    if name in ("parameter", "parameter_vector_element"):
        return {"ParameterExpression": str(value)}
    return describe(value)


def test_legacy_decoder_reads_everything_but_qpy(decoded_by_legacy: Any) -> None:
    originals, decoded = decoded_by_legacy
    crossed = {name for name, outcome in decoded.items() if outcome["ok"]}
    assert set(originals) - crossed == QPY_GAP
    for name in sorted(crossed):
        assert decoded[name]["value"] == expected_description(name, originals[name]), name


def test_qpy_gap_fails_loudly_in_legacy(decoded_by_legacy: Any) -> None:
    _, decoded = decoded_by_legacy
    for name in QPY_GAP:
        assert not decoded[name]["ok"]
        assert decoded[name]["error"], name


def test_large_float_array_is_a_stored_zlib_stream() -> None:
    import base64
    import zlib

    encoded = json.loads(json.dumps(np.random.default_rng(0).random(200_000), cls=RuntimeEncoder))
    raw = base64.b64decode(encoded["__value__"])
    assert raw[:2] == b"\x78\x01"  # zlib header of level 0, still a stream legacy inflates
    assert zlib.decompress(raw)[:6] == b"\x93NUMPY"


def test_describe_agrees_with_itself_here() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert describe({"x": [1j, {2}], 1: None}) == {
            "x": [{"complex": [0.0, 1.0]}, {"set": [2]}],
            "<int>1": None,
        }
