"""Decode limits: how much a single document may make the decoder allocate."""

from __future__ import annotations

from typing import NamedTuple

from runtime_kit.errors import DecodeLimitError

MiB = 1024 * 1024


class DecodeLimits(NamedTuple):
    """Caps that keep a hostile document from exhausting memory.

    Attributes:
        max_decompressed_bytes: total bytes that all zlib/npz values of one document may
            inflate to (a 272 KB zlib bomb would otherwise become ~270 MiB).
        max_array_elements: elements one decoded ``ndarray`` may hold.
    """

    max_decompressed_bytes: int = 128 * MiB
    max_array_elements: int = 64 * 1024 * 1024


class DecompressionBudget:
    """What is left of ``max_decompressed_bytes`` while one document is decoded."""

    def __init__(self, limits: DecodeLimits) -> None:
        self.limits = limits
        self.remaining_bytes = limits.max_decompressed_bytes

    def take(self, n_bytes: int, *, tag: str) -> None:
        if n_bytes > self.remaining_bytes:
            raise DecodeLimitError(
                f"document inflates past max_decompressed_bytes="
                f"{self.limits.max_decompressed_bytes} (raise it with "
                f"RuntimeDecoder(limits=DecodeLimits(...)) if the data is trusted)",
                tag=tag,
            )
        self.remaining_bytes -= n_bytes
