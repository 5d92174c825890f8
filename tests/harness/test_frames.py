"""The frames pipe read as the job writes it: nothing in it is trusted."""

from __future__ import annotations

import json
import os
import threading

from runtime_kit.harness import frames


def read_all(data: bytes, cap: int | None = None) -> list[tuple[str, str]]:
    read_end, write_end = os.pipe()

    def write() -> None:
        view = memoryview(data)
        try:
            while view:
                view = view[os.write(write_end, view[: 1 << 16]) :]
        except BrokenPipeError:
            pass
        finally:
            os.close(write_end)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        return list(frames.read_frames(read_end, cap))
    finally:
        writer.join(timeout=30)


def test_frames_are_read_back_as_written() -> None:
    read_end, write_end = os.pipe()
    frames.write_frame(write_end, frames.INTERIM, '{"a": "é"}')
    frames.write_frame(write_end, frames.RESULT, '"done"')
    os.close(write_end)
    assert list(frames.read_frames(read_end, 100)) == [
        (frames.INTERIM, '{"a": "é"}'),
        (frames.RESULT, '"done"'),
    ]


def test_a_payload_larger_than_a_chunk_is_read_whole() -> None:
    payload = "x" * (3 * frames.CHUNK_BYTES + 17)
    data = f"result {len(payload)}\n{payload}".encode()
    assert read_all(data, 4 * frames.CHUNK_BYTES) == [(frames.RESULT, payload)]


def test_a_frame_over_the_cap_is_refused_from_its_header() -> None:
    data = b"interim 5\nhello" + f"interim {12 << 30}\n".encode() + b"x" * (1 << 20)
    (first, second) = read_all(data, 1000)
    assert first == (frames.INTERIM, "hello")
    assert second[0] == frames.OVERSIZED
    assert json.loads(second[1]) == {"kind": "interim", "bytes": 12 << 30}
    assert frames.refusal(*second, 1000) == (
        f"message size (an interim result of {12 << 30} bytes; at most 1000)"
    )


def test_a_header_without_an_end_or_of_an_unknown_kind_is_malformed() -> None:
    (endless,) = read_all(b"interim " + b"9" * 10_000, 1000)
    assert endless[0] == frames.MALFORMED
    assert frames.refusal(*endless, 1000).startswith("malformed frame on the harness pipe")
    (unknown,) = read_all(b"bogus 3\nabc", 1000)
    assert unknown[0] == frames.MALFORMED
    (negative,) = read_all(b"result -3\nabc", 1000)
    assert negative[0] == frames.MALFORMED


def test_a_torn_frame_just_ends_the_stream() -> None:
    assert read_all(b"result 10\nabc") == []
    assert read_all(b"resu") == []


def test_bytes_that_are_not_utf8_are_replaced() -> None:
    assert read_all(b"result 2\n\xff\xfe") == [(frames.RESULT, "\ufffd\ufffd")]
