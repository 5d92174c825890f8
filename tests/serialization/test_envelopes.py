"""Envelope checks: what a full decode would reject, found without numpy or qiskit."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import zlib
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pytest
import scipy.sparse
from qiskit import QuantumCircuit
from qiskit.circuit import Parameter

from runtime_kit import DecodeLimits, RuntimeEncoder
from runtime_kit.serialization.envelopes import envelope_problems


def encoded(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=RuntimeEncoder))


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def test_everything_the_encoder_writes_passes() -> None:
    theta = Parameter("θ")
    circuit = QuantumCircuit(1)
    circuit.rx(theta, 0)
    document = encoded(
        {
            "when": datetime(2026, 1, 1, tzinfo=UTC),
            "z": 1 + 2j,
            "tags": {1, 2},
            "small": np.arange(3),
            "big": np.arange(10_000, dtype=float),
            "circuit": circuit,
            "gate": circuit.data[0].operation,
            "theta": theta,
            "expression": theta * 2,
            "sparse": scipy.sparse.csr_matrix(np.eye(2)),
            "nested": [{"more": np.ones(2)}],
        }
    )
    assert envelope_problems(document) == []


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ({"__type__": "ndarray"}, "'ndarray' value has no '__value__'"),
        ({"__type__": "datetime", "__value__": "yesterday"}, "invalid ISO 8601 date"),
        ({"__type__": "complex", "__value__": [1]}, "expected [real, imag] numbers"),
        ({"__type__": "set", "__value__": 3}, "expected a list"),
        ({"__type__": "ndarray", "__value__": "AAAA!!"}, "invalid base64"),
        ({"__type__": "ndarray", "__value__": b64(b"not zlib")}, "corrupt zlib stream"),
        ({"__type__": "ndarray", "__value__": b64(zlib.compress(b"QISKIT"))}, "not a .npy array"),
        ({"__type__": "QuantumCircuit", "__value__": b64(zlib.compress(b"\x93NUMPY"))}, "not QPY"),
        (
            {"__type__": "QuantumCircuit", "__value__": b64(zlib.compress(b"QISKIT")[:-3])},
            "truncated",
        ),
        ({"__type__": "Parameter", "__value__": ""}, "empty payload"),
        ({"__type__": "spmatrix", "__value__": b64(b"nope")}, "not a .npz archive"),
        ({"__type__": "Result", "__value__": []}, "expected an object"),
        (
            {"__type__": "settings", "__value__": {}, "__module__": "os", "__class__": "system"},
            "not on the settings allow-list",
        ),
        ({"__type__": "settings", "__value__": {}}, "__module__ and __class__ must be strings"),
    ],
)
def test_broken_envelopes_are_reported_where_they_are(value: dict, reason: str) -> None:
    problems = envelope_problems({"a": [1, {"b": value}]})
    assert len(problems) == 1
    keys, message = problems[0]
    assert keys == ("a", 1, "b")
    assert reason in message


def test_decompression_is_capped() -> None:
    bomb = {"__type__": "ndarray", "__value__": b64(zlib.compress(b"\x93NUMPY" + bytes(10**7)))}
    problems = envelope_problems(bomb, limits=DecodeLimits(max_decompressed_bytes=10**6))
    assert problems and "limit" in problems[0][1]


def test_unknown_tags_and_plain_objects_pass() -> None:
    assert envelope_problems({"__type__": "future-thing", "__value__": 1, "x": [{}]}) == []


def test_checking_imports_neither_numpy_nor_qiskit() -> None:
    document = json.dumps(encoded({"c": QuantumCircuit(1), "a": np.ones(3)}))
    code = (
        "import sys, json\n"
        "from runtime_kit.serialization.envelopes import envelope_problems\n"
        f"assert envelope_problems(json.loads({document!r})) == []\n"
        "print(sorted(m for m in ('numpy', 'qiskit') if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "[]"
