"""Hostile and broken documents raise the codec's own errors, never a crash from inside."""

from __future__ import annotations

import base64
import io
import json
import resource
import zipfile
import zlib
from typing import Any, ClassVar

import numpy as np
import pytest

from runtime_kit import DecodeError, DecodeLimits, EncodeError, RuntimeDecoder, RuntimeEncoder
from runtime_kit.errors import DecodeLimitError, MalformedDocumentError, UnsafeSettingsError

MiB = 1024 * 1024


def decode(document: Any, **kwargs: Any) -> Any:
    text = document if isinstance(document, str) else json.dumps(document)
    return json.loads(text, cls=RuntimeDecoder, **kwargs)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def zlib_bomb(inflated_bytes: int) -> str:
    header = npy_bytes(np.zeros(0))[:128]  # any prefix; what matters is the inflated size
    return b64(zlib.compress(header + bytes(inflated_bytes), 9))


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_zlib_bomb_is_stopped_before_it_inflates() -> None:
    bomb = zlib_bomb(280 * MiB)
    assert len(bomb) < 400_000  # ~272 KB on the wire
    before = peak_rss_mib()
    with pytest.raises(DecodeLimitError, match="max_decompressed_bytes"):
        decode({"__type__": "ndarray", "__value__": bomb})
    assert peak_rss_mib() - before < 200  # never near the 280 MiB it would become


def test_the_budget_is_per_document_not_per_value() -> None:
    zeros = b64(zlib.compress(npy_bytes(np.zeros(5 * MiB)), 9))  # 40 MiB each, ~40 KB sent
    limits = DecodeLimits(max_decompressed_bytes=100 * MiB)
    assert decode([{"__type__": "ndarray", "__value__": zeros}] * 2, limits=limits)[1].size
    with pytest.raises(DecodeLimitError):
        decode([{"__type__": "ndarray", "__value__": zeros}] * 3, limits=limits)


def test_limits_are_configurable() -> None:
    array = np.arange(1000.0)
    document = json.dumps(array, cls=RuntimeEncoder)
    with pytest.raises(DecodeLimitError):
        decode(document, limits=DecodeLimits(max_decompressed_bytes=1000))
    with pytest.raises(DecodeLimitError, match="max_array_elements"):
        decode(document, limits=DecodeLimits(max_array_elements=999))
    np.testing.assert_array_equal(
        decode(document, limits=DecodeLimits(max_array_elements=1000)), array
    )


def test_npy_header_cannot_claim_more_than_is_there() -> None:
    honest = npy_bytes(np.zeros(4))
    lying = honest.replace(b"(4,), }          ", b"(1000000000,), } ")
    assert len(lying) == len(honest)
    with pytest.raises(DecodeError, match="declares 8000000000 data bytes"):
        decode(
            {"__type__": "ndarray", "__value__": b64(zlib.compress(lying))},
            limits=DecodeLimits(max_array_elements=10**10),
        )


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"__type__": "complex", "__value__": "1+2j"}, "expected \\[real, imag\\]"),
        ({"__type__": "complex", "__value__": [1]}, "expected \\[real, imag\\]"),
        ({"__type__": "datetime", "__value__": 5}, "ISO 8601"),
        ({"__type__": "datetime", "__value__": "yesterday"}, "invalid ISO 8601"),
        ({"__type__": "ndarray", "__value__": 7}, "base64"),
        ({"__type__": "ndarray", "__value__": "@@@@"}, "invalid base64"),
        ({"__type__": "ndarray", "__value__": "eJzLSM3JyQcABiwCFQ"}, "invalid base64"),
        ({"__type__": "ndarray", "__value__": b64(b"not zlib")}, "corrupt zlib"),
        (
            {"__type__": "ndarray", "__value__": b64(zlib.compress(bytes(range(256)) * 40)[:200])},
            "truncated zlib",
        ),
        ({"__type__": "ndarray", "__value__": b64(zlib.compress(b"plain text"))}, ".npy"),
        ({"__type__": "ndarray", "__value__": [[1, 2], [3]]}, "not a valid array"),
        ({"__type__": "ndarray"}, "'__value__' is missing"),
        ({"__type__": "set", "__value__": [[1], [2]]}, "hashable"),
        ({"__type__": "set", "__value__": "abc"}, "expected a list"),
        (
            {"__type__": "QuantumCircuit", "__value__": b64(zlib.compress(b"QISKIT junk"))},
            "QuantumCircuit",
        ),
        ({"__type__": "QuantumCircuit", "__value__": ["list"]}, "base64"),
        ({"__type__": "Instruction", "__value__": b64(zlib.compress(b""))}, "Instruction"),
        ({"__type__": "ParameterExpression", "__value__": b64(b"\x00\x01")}, "Parameter"),
        (
            {
                "__type__": "ParameterExpression",
                "__value__": b64(b"\x00" * 16),
                "__qpy_version__": 99,
            },
            "__qpy_version__",
        ),
        ({"__type__": "Parameter", "__value__": b64(b"\x00")}, "Parameter"),
        ({"__type__": "Result", "__value__": {"results": "nope"}}, "Result"),
        ({"__type__": "Result", "__value__": []}, "Result"),
        ({"__type__": "NoiseModel", "__value__": {"errors": 3}}, "NoiseModel"),
        ({"__type__": "spmatrix", "__value__": b64(b"PK junk")}, "npz"),
        ({"__type__": "settings", "__module__": 1, "__class__": "X", "__value__": {}}, "strings"),
        (
            {
                "__type__": "settings",
                "__module__": "qiskit.quantum_info.operators.symplectic.pauli",
                "__class__": "Pauli",
                "__value__": [],
            },
            "object of settings",
        ),
        (
            {
                "__type__": "settings",
                "__module__": "qiskit.quantum_info.operators.symplectic.pauli",
                "__class__": "Pauli",
                "__value__": {"nope": 1},
            },
            "cannot rebuild",
        ),
    ],
)
def test_wrong_values_raise_decode_errors(document: Any, message: str) -> None:
    with pytest.raises(DecodeError, match=message):
        decode(document)


def test_object_arrays_in_npy_form_are_refused() -> None:
    raw = (
        np.lib.format.magic(1, 0)
        + b"\x46\x00"
        + (b"{'descr': '|O', 'fortran_order': False, 'shape': (1,), }".ljust(69) + b"\n")
    )
    with pytest.raises(DecodeError, match="pickle"):
        decode({"__type__": "ndarray", "__value__": b64(zlib.compress(raw + b"\x80"))})


def test_npz_bomb_is_stopped() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.npy", bytes(300 * MiB))
    with pytest.raises(DecodeLimitError):
        decode({"__type__": "spmatrix", "__value__": b64(buffer.getvalue())})


def test_npz_with_foreign_members_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("evil.pkl", b"x")
    with pytest.raises(DecodeError, match="unexpected member"):
        decode({"__type__": "spmatrix", "__value__": b64(buffer.getvalue())})


def test_deep_nesting() -> None:
    with pytest.raises(DecodeError, match="nested too deeply"):
        decode("[" * 100_000 + "]" * 100_000)
    with pytest.raises(DecodeError, match="nested too deeply"):
        decode('{"a":' * 100_000 + "1" + "}" * 100_000)


def test_huge_list_of_tagged_values() -> None:
    document = json.dumps([{"__type__": "complex", "__value__": [i, 0]} for i in range(200_000)])
    assert decode(document)[-1] == 199_999


def test_not_json_is_a_malformed_document_error() -> None:
    with pytest.raises(MalformedDocumentError) as caught:
        decode('{"a": [1, 2')
    assert isinstance(caught.value, json.JSONDecodeError)
    assert caught.value.lineno == 1


class TestSettingsAllowList:
    def test_unknown_class_is_refused_by_name_and_not_imported(self) -> None:
        import sys

        document = {
            "__type__": "settings",
            "__module__": "antigravity",
            "__class__": "Fly",
            "__value__": {},
        }
        with pytest.raises(UnsafeSettingsError, match=r"antigravity\.Fly is not on the") as caught:
            decode(document)
        assert caught.value.class_path == "antigravity.Fly"
        assert "antigravity" not in sys.modules

    def test_dangerous_stdlib_classes_are_refused(self) -> None:
        document = {
            "__type__": "settings",
            "__module__": "subprocess",
            "__class__": "Popen",
            "__value__": {"args": ["touch", "/tmp/pwned-by-runtime-kit"]},
        }
        with pytest.raises(UnsafeSettingsError):
            decode(document)

    def test_caller_can_extend_the_allow_list(self) -> None:
        class Knob:
            def __init__(self, turns: int) -> None:
                self.turns = turns

            @property
            def settings(self) -> dict[str, Any]:
                return {"turns": self.turns}

        document = json.dumps(Knob(3), cls=RuntimeEncoder)
        with pytest.raises(UnsafeSettingsError):
            decode(document)
        path = f"{Knob.__module__}.Knob"
        assert decode(document, allowed_settings={path: Knob}).turns == 3

    def test_subclass_can_replace_the_allow_list(self) -> None:
        class NoSettings(RuntimeDecoder):
            allowed_settings: ClassVar[dict[str, Any]] = {}

        pauli = {
            "__type__": "settings",
            "__module__": "qiskit.quantum_info.operators.symplectic.pauli",
            "__class__": "Pauli",
            "__value__": {"data": "X"},
        }
        with pytest.raises(UnsafeSettingsError):
            json.loads(json.dumps(pauli), cls=NoSettings)
        assert str(decode(pauli)) == "X"

    def test_allowed_but_missing_package_says_so(self) -> None:
        document = {
            "__type__": "settings",
            "__module__": "pkg.mod",
            "__class__": "C",
            "__value__": {},
        }
        with pytest.raises(DecodeError, match="is pkg installed"):
            decode(document, allowed_settings={"pkg.mod.C": "pkg.mod:C"})


class TestEncodeErrors:
    def test_unencodable_value_names_its_path(self) -> None:
        with pytest.raises(
            EncodeError,
            match=r'object is not serializable \(at \$\["result"\]\["energies"\]\[2\]\)',
        ) as caught:
            json.dumps({"result": {"energies": [1.0, 2.0, object()]}}, cls=RuntimeEncoder)
        assert caught.value.path == '$["result"]["energies"][2]'
        assert isinstance(caught.value, TypeError)

    def test_bad_dict_key_names_its_path(self) -> None:
        with pytest.raises(EncodeError) as caught:
            json.dumps({"ok": {(1, 2): "tuple key"}}, cls=RuntimeEncoder)
        assert caught.value.path.startswith('$["ok"]')

    def test_unencodable_inside_settings_is_found(self) -> None:
        class Holder:
            settings = {"inner": object()}  # noqa: RUF012

        with pytest.raises(EncodeError) as caught:
            json.dumps([Holder()], cls=RuntimeEncoder)
        assert caught.value.path.startswith("$[0]")

    def test_dump_to_file_also_names_the_path(self) -> None:
        with pytest.raises(EncodeError, match=r"\$\[1\]"):
            json.dump([1, object()], io.StringIO(), cls=RuntimeEncoder)
