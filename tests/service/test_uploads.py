"""Streamed uploads: the body scanned in pieces of any size gives what parsing it whole gave,
the ``data`` decoded into a blob as it passes."""

from __future__ import annotations

import base64
import hashlib
import json
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runtime_kit.service.core.store import Store
from runtime_kit.service.http.api_errors import ApiError
from runtime_kit.service.http.json_scanner import ObjectScanner
from runtime_kit.service.http.uploads import Base64Decoder, ProgramDataCheck

SOURCE = b"def main(backend, user_messenger):\n    return 'hi'\n"


def scan(body: bytes, pieces: list[int]) -> tuple[dict[str, Any], bytes, bool]:
    """Feed ``body`` cut at ``pieces`` (sizes); the kept members, the streamed string's
    content and whether it was found."""
    streamed = bytearray()
    scanner = ObjectScanner("data", streamed.extend, 1 << 20)
    at = 0
    for size in [*pieces, len(body)]:
        scanner.feed(body[at : at + size])
        at += size
        if at >= len(body):
            break
    scanner.close()
    return json.loads(bytes(scanner.rest)), bytes(streamed), scanner.found


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=200, deadline=None)
@given(
    others=st.dictionaries(st.text(max_size=8).filter(lambda k: k != "data"), json_values),
    data=st.binary(max_size=300),
    slash_escaped=st.booleans(),
    seed=st.integers(0, 2**32),
)
def test_scanning_in_pieces_equals_parsing_whole(
    others: dict[str, Any], data: bytes, slash_escaped: bool, seed: int
) -> None:
    encoded = base64.b64encode(data).decode()
    members = {**others, "data": encoded}
    keys = list(members)
    random.Random(seed).shuffle(keys)
    text = json.dumps({key: members[key] for key in keys}, ensure_ascii=seed % 2 == 0)
    if slash_escaped:  # JSON may escape "/", as some encoders do
        text = text.replace(encoded, encoded.replace("/", "\\/"))
    body = text.encode()
    cuts = random.Random(seed).choices(range(1, 8), k=len(body))
    fields, streamed, found = scan(body, cuts)
    assert found
    assert fields == {**others, "data": None}
    assert streamed == encoded.encode()


def test_escapes_in_the_streamed_string_are_resolved_across_pieces() -> None:
    body = b'{"data": "ab\\u0063d\\/e\\n"}'
    for cut in range(1, len(body)):
        _, streamed, _ = scan(body, [cut])
        assert streamed == b"abcd/e\n"


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        (b"[1, 2]", 400, "must be an object"),
        (b'{"data": "abc"', 400, "ends before its object"),
        (b'{"data": "a", "data": "b"}', 400, "data is given twice"),
        (b'{"data": "a\\x"}', 400, "a bad escape in data"),
        (b'{"data": "a\\uzzzz"}', 400, "a bad \\u escape"),
        (b'{"data": "a"} x', 400, "text after its object"),
        (b'{"data": "a" "b"}', 400, "expected , or }"),
        (b'{3: "a"}', 400, "expected a member name"),
        (b'{"name" 3}', 400, "expected a colon"),
        (b'{"spec": "' + b"x" * (2 << 20) + b'"}', 413, "fields other than data"),
    ],
)
def test_malformed_bodies_are_refused_as_they_are_scanned(
    body: bytes, status: int, message: str
) -> None:
    with pytest.raises(ApiError) as refused:
        scan(body, [7] * len(body))
    assert refused.value.status == status
    assert message in refused.value.message


def test_members_that_are_not_the_streamed_string_are_kept_whole() -> None:
    body = b'{"data": 3, "spec": {"a": "}\\"{,"}, "cost": 60}'
    fields, streamed, found = scan(body, [5] * len(body))
    assert fields == {"data": 3, "spec": {"a": '}"{,'}, "cost": 60}
    assert streamed == b"" and not found


def decode(text: bytes, cut: int) -> bytes:
    out = bytearray()
    decoder = Base64Decoder(out.extend)
    for at in range(0, len(text), cut):
        decoder.feed(text[at : at + cut])
    decoder.close()
    return bytes(out)


def test_base64_in_pieces_with_whitespace() -> None:
    data = bytes(range(256)) * 3
    text = base64.encodebytes(data)  # lines of 76 characters
    for cut in (1, 3, 4, 5, 77, 1000):
        assert decode(text, cut) == data


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b"abc", "not a multiple of 4"),
        (b"ab==cdef", "text after its padding"),
        (b"ab!d", "not valid base64"),
    ],
)
def test_bad_base64_is_refused(text: bytes, message: str) -> None:
    with pytest.raises(ApiError) as refused:
        decode(text, 4)
    assert message in refused.value.message


def check(data: bytes, tmp_path: Path, cut: int = 3) -> tuple[str, bytes, str]:
    store = Store(tmp_path / "data")
    try:
        with store.staged_blob() as blob:
            checked = ProgramDataCheck(blob)
            for at in range(0, len(data), cut):
                checked.write(data[at : at + cut])
            kind = checked.close()
            digest = blob.keep()
            return kind, store.get_blob(digest), digest
    finally:
        store.close()


def test_data_is_stored_under_its_digest_and_its_kind_found(tmp_path: Path) -> None:
    kind, stored, digest = check(SOURCE, tmp_path)
    assert (kind, stored, digest) == ("source", SOURCE, hashlib.sha256(SOURCE).hexdigest())
    kind, _, _ = check(b"PK\x03\x04rest", tmp_path / "zip")
    assert kind == "zip"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"print(1)\n", "defines no main()"),
        (b"def main(\xff", "neither a zip bundle nor UTF-8"),
        (b"de", "defines no main()"),
        ("def main(): 'é'".encode()[:-2], "neither a zip bundle nor UTF-8"),
    ],
)
def test_source_is_checked_as_it_passes(data: bytes, message: str, tmp_path: Path) -> None:
    with pytest.raises(ApiError) as refused:
        check(data, tmp_path, cut=1)
    assert message in refused.value.message
    assert list((tmp_path / "data" / "blobs").rglob("*")) == [
        tmp_path / "data" / "blobs" / ".incoming"
    ]
