"""Binary values on the wire: standard base64, optionally around a zlib stream.

The legacy encoder compressed every array at zlib's default level, which spends almost all
of its time on float data that does not compress.  We probe a sample first and store
incompressible data in zlib *stored* blocks: still a zlib stream every legacy decoder
inflates, at memory speed.
"""

from __future__ import annotations

import base64
import binascii
import zlib

from runtime_kit.errors import DecodeError
from runtime_kit.serialization.limits import DecompressionBudget

_SAMPLE_BYTES = 64 * 1024
_COMPRESSIBLE_RATIO = 0.8
_INFLATE_CHUNK = 1024 * 1024


def to_base64(data: bytes | bytearray | memoryview) -> str:
    return base64.standard_b64encode(data).decode("ascii")


def from_base64(text: object, *, tag: str) -> bytes:
    if not isinstance(text, str):
        raise DecodeError(f"expected a base64 string, got {type(text).__name__}", tag=tag)
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise DecodeError(f"invalid base64 ({exc})", tag=tag) from exc


def compress(data: bytes | bytearray | memoryview) -> bytes:
    """Return a zlib stream of ``data``, compressed only where that pays off."""
    if len(data) > 4 * _SAMPLE_BYTES:
        sample = bytes(memoryview(data)[:_SAMPLE_BYTES])
        if len(zlib.compress(sample, 1)) > _COMPRESSIBLE_RATIO * len(sample):
            return zlib.compress(data, 0)
        return zlib.compress(data, 1)
    return zlib.compress(data)


def inflate(data: bytes, budget: DecompressionBudget, *, tag: str) -> bytes:
    """Inflate a zlib stream, charging every produced byte to ``budget``."""
    inflater = zlib.decompressobj()
    chunks = []
    pending = data
    try:
        while pending:
            chunk = inflater.decompress(pending, _INFLATE_CHUNK)
            budget.take(len(chunk), tag=tag)
            chunks.append(chunk)
            pending = inflater.unconsumed_tail
            if inflater.eof:
                break
        tail = inflater.flush()
    except zlib.error as exc:
        raise DecodeError(f"corrupt zlib stream ({exc})", tag=tag) from exc
    budget.take(len(tail), tag=tag)
    if not inflater.eof:
        raise DecodeError("truncated zlib stream", tag=tag)
    chunks.append(tail)
    return b"".join(chunks)
