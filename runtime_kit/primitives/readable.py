"""V2 primitive results as JSON a person reads: what the CLI prints for them.

On the wire a ``PrimitiveResult`` is nested envelopes whose bits are compressed base64
(``{"__type__": "BitArray", "__value__": {"array": {"__type__": "ndarray", ...}}}``).
Shown here, each pub keeps its ``data`` by register name: a ``BitArray`` as its counts (a
list of counts, nested like the pub's shape, when the pub has one) with its ``num_bits``
and ``num_shots``; arrays such as ``evs`` and ``stds`` as lists; metadata as plain JSON.
"""

from __future__ import annotations

import json
from typing import Any

#: Envelope tags whose decoded value ``as_json`` shows.
TAGS = frozenset(
    {
        "PrimitiveResult",
        "SamplerPubResult",
        "PubResult",
        "EstimatorPubResult",
        "DataBin",
        "BitArray",
    }
)


def readable(envelope: dict[str, Any]) -> Any:
    """The primitive value in ``envelope`` (one of ``TAGS``), decoded and shown as JSON.

    Raises:
        DecodeError: the envelope does not decode.
    """
    from runtime_kit.serialization import RuntimeDecoder

    return as_json(json.loads(json.dumps(envelope), cls=RuntimeDecoder))


def as_json(value: Any) -> Any:
    """A decoded primitive value (or anything inside one) as plain JSON data."""
    import numpy as np
    from qiskit.primitives.containers import BitArray, DataBin, PrimitiveResult, PubResult

    if isinstance(value, PrimitiveResult):
        return {
            "pub_results": [as_json(pub) for pub in value],
            "metadata": as_json(value.metadata),
        }
    if isinstance(value, PubResult):
        return {"data": as_json(value.data), "metadata": as_json(value.metadata)}
    if isinstance(value, DataBin):
        return {name: as_json(field) for name, field in value.items()}
    if isinstance(value, BitArray):
        return {
            "counts": _counts(value),
            "num_bits": value.num_bits,
            "num_shots": value.num_shots,
        }
    if isinstance(value, np.ndarray):
        return as_json(value.tolist())
    if isinstance(value, np.generic):
        return as_json(value.item())
    if isinstance(value, complex):
        return str(value)
    if isinstance(value, dict):
        return {str(key): as_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [as_json(item) for item in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _counts(bits: Any) -> Any:
    """Counts of a ``BitArray``: one dict, or lists of them nested like its shape."""
    if not bits.shape:
        return dict(sorted(bits.get_counts().items()))
    return [_counts(bits[index]) for index in range(bits.shape[0])]
