"""Zips made byte by byte: central directories of any size, end records that say what we
want (``zipfile`` takes minutes to write half a million entries, and never lies)."""

from __future__ import annotations

import struct

LOCAL = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 0, 0, 0, 0, 0, 0, 10, 0) + b"program.py"


def central_entry(name: bytes) -> bytes:
    """A central directory header of an empty stored file ``name`` (data at offset 0)."""
    return (
        struct.pack(
            "<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 0, 0, 0, 0, 0, 0, len(name), 0, 0, 0, 0, 0, 0
        )
        + name
    )


def crafted_zip(entries: int, *, declared: int | None = None, name_bytes: int = 8) -> bytes:
    """A zip of ``entries`` empty files whose end record declares ``declared`` of them
    (default: the truth); zip64 end records when more than 65,534 are declared."""
    declared = entries if declared is None else declared
    directory = b"".join(
        central_entry(f"d/{number:0{name_bytes - 2}d}".encode()) for number in range(entries)
    )
    offset = len(LOCAL)
    end = b""
    if declared > 0xFFFE:
        record_at = offset + len(directory)
        end += struct.pack(
            "<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, declared, declared,
            len(directory), offset,
        )  # fmt: skip
        end += struct.pack("<4sLQL", b"PK\x06\x07", 0, record_at, 1)
        end += struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF,
                           0xFFFFFFFF, 0)  # fmt: skip
    else:
        end += struct.pack(
            "<4s4H2LH", b"PK\x05\x06", 0, 0, declared, declared, len(directory), offset, 0
        )
    return LOCAL + directory + end
