"""numpy arrays and scipy sparse matrices in ``.npy`` / ``.npz`` form, read without trust.

``np.load`` allocates the array a header declares before it has read a byte of data, and
``scipy.sparse.load_npz`` inflates zip members without bound, so both are read here by hand:
the header is checked against the bytes actually present before anything is allocated.
"""

from __future__ import annotations

import io
import math
import zipfile
from typing import Any

import numpy as np

from runtime_kit.errors import DecodeError, DecodeLimitError
from runtime_kit.serialization.limits import DecompressionBudget

_MAX_HEADER_BYTES = 10_000
_NPZ_MEMBERS = {"format", "shape", "data", "indices", "indptr", "row", "col", "offsets"}


def ndarray_to_npy(array: np.ndarray) -> tuple[bytes, memoryview]:
    """The ``.npy`` form of ``array`` as (header, data), without copying contiguous data."""
    if array.dtype.names is not None:  # structured: let numpy pick the header version
        buffer = io.BytesIO()
        np.save(buffer, array, allow_pickle=False)
        return buffer.getvalue(), memoryview(b"")
    fields = np.lib.format.header_data_from_array_1_0(array)
    header = io.BytesIO()
    try:
        np.lib.format.write_array_header_1_0(header, fields)
    except ValueError:  # header over 64 KiB (a very high-dimensional shape)
        header = io.BytesIO()
        np.lib.format.write_array_header_2_0(header, fields)
    order = "F" if fields["fortran_order"] else "C"
    flat = array.reshape(-1, order=order)  # type: ignore[call-overload]
    if not flat.flags.c_contiguous:
        flat = np.ascontiguousarray(flat)
    return header.getvalue(), memoryview(flat.view(np.uint8))


def npy_to_ndarray(data: bytes, budget: DecompressionBudget, *, tag: str) -> np.ndarray:
    stream = io.BytesIO(data)
    try:
        version = np.lib.format.read_magic(stream)
        if version == (1, 0):
            header = np.lib.format.read_array_header_1_0(stream, max_header_size=_MAX_HEADER_BYTES)
        else:
            header = np.lib.format.read_array_header_2_0(stream, max_header_size=_MAX_HEADER_BYTES)
    except (ValueError, SyntaxError, EOFError) as exc:
        raise DecodeError(f"not a valid .npy array ({exc})", tag=tag) from exc
    shape, fortran_order, dtype = header
    if dtype.hasobject:
        raise DecodeError("object arrays in .npy form would need pickle; refused", tag=tag)
    count = math.prod(shape)
    if count > budget.limits.max_array_elements:
        raise DecodeLimitError(
            f"array of {count} elements exceeds max_array_elements="
            f"{budget.limits.max_array_elements}",
            tag=tag,
        )
    offset = stream.tell()
    if len(data) - offset != count * dtype.itemsize:
        raise DecodeError(
            f"array header declares {count * dtype.itemsize} data bytes, "
            f"{len(data) - offset} are present",
            tag=tag,
        )
    flat = np.frombuffer(data, dtype=dtype, count=count, offset=offset).copy()
    return flat.reshape(shape, order="F" if fortran_order else "C")


def list_to_ndarray(value: list[Any], budget: DecompressionBudget, *, tag: str) -> np.ndarray:
    try:
        array = np.array(value)
    except (ValueError, TypeError) as exc:
        raise DecodeError(f"list is not a valid array ({exc})", tag=tag) from exc
    if array.size > budget.limits.max_array_elements:
        raise DecodeLimitError(
            f"array of {array.size} elements exceeds max_array_elements", tag=tag
        )
    return array


def sparse_to_npz(matrix: Any) -> bytes:
    import scipy.sparse

    buffer = io.BytesIO()
    scipy.sparse.save_npz(buffer, matrix)
    return buffer.getvalue()


def npz_to_sparse(data: bytes, budget: DecompressionBudget, *, tag: str) -> Any:
    """Rebuild a sparse matrix from ``save_npz`` bytes, bounding every member's size."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = {}
        for info in archive.infolist():
            name = info.filename.removesuffix(".npy")
            if name not in _NPZ_MEMBERS and name != "_is_array":
                raise DecodeError(f"unexpected member {info.filename!r} in sparse matrix", tag=tag)
            budget.take(info.file_size, tag=tag)
            members[name] = npy_to_ndarray(archive.read(info), budget, tag=tag)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
        raise DecodeError(f"not a valid .npz archive ({exc})", tag=tag) from exc
    return _build_sparse(members, tag=tag)


def _build_sparse(members: dict[str, np.ndarray], *, tag: str) -> Any:
    import scipy.sparse

    try:
        kind = members["format"].item()
        kind = kind.decode("ascii") if isinstance(kind, bytes) else str(kind)
        shape = tuple(int(n) for n in members["shape"])
        as_array = "_is_array" in members and bool(members["_is_array"])
        suffix = "array" if as_array else "matrix"
        if kind in ("csr", "csc", "bsr"):
            cls = getattr(scipy.sparse, f"{kind}_{suffix}")
            return cls((members["data"], members["indices"], members["indptr"]), shape=shape)
        if kind == "coo":
            cls = getattr(scipy.sparse, f"coo_{suffix}")
            return cls((members["data"], (members["row"], members["col"])), shape=shape)
        if kind == "dia":
            cls = getattr(scipy.sparse, f"dia_{suffix}")
            return cls((members["data"], members["offsets"]), shape=shape)
    except KeyError as exc:
        raise DecodeError(f"sparse matrix lacks member {exc}", tag=tag) from exc
    except (ValueError, TypeError, IndexError, UnicodeDecodeError) as exc:
        raise DecodeError(f"inconsistent sparse matrix ({exc})", tag=tag) from exc
    raise DecodeError(f"unknown sparse format {kind!r}", tag=tag)
