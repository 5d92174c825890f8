"""Wire-format values (RuntimeEncoder JSON) as text a person reads: indented, with each
``{"__type__", "__value__"}`` envelope shown as what it holds.

Small arrays, complex numbers, dates and sets are decoded (``RuntimeDecoder``, within tight
limits); circuits, results and other binary payloads are named with their size, never
decoded in the service (that would need qiskit and trust in the payload).
"""

from __future__ import annotations

import json
from typing import Any

from runtime_kit.errors import DecodeError
from runtime_kit.serialization.limits import DecodeLimits

MAX_TEXT_CHARS = 200_000
_INLINE_CHARS = 80
_ARRAY_LIMITS = DecodeLimits(max_decompressed_bytes=8 << 20, max_array_elements=1 << 20)


class Shown(str):
    """Text standing for a decoded envelope, printed as it is (not as a JSON string)."""


def readable_text(text: str | None) -> str:
    """``text`` (a wire-format JSON document) as readable text; text that is not JSON (an
    error message) is returned as it is."""
    if not text:
        return ""
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return text
    shown = value if isinstance(value, str) else _format(readable(value), 0)
    if len(shown) > MAX_TEXT_CHARS:
        return shown[:MAX_TEXT_CHARS] + f"\n… ({len(shown) - MAX_TEXT_CHARS} more characters)"
    return shown


def readable(value: Any) -> Any:
    """``value`` with every envelope replaced by a ``Shown`` or a plain value."""
    if isinstance(value, dict):
        tag = value.get("__type__")
        if isinstance(tag, str) and "__value__" in value:
            return _envelope(tag, value)
        return {key: readable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [readable(item) for item in value]
    return value


def _envelope(tag: str, envelope: dict[str, Any]) -> Any:
    inner = envelope["__value__"]
    if tag == "complex" and isinstance(inner, list) and len(inner) == 2:
        return Shown(str(complex(*inner)))
    if tag == "datetime" and isinstance(inner, str):
        return Shown(inner)
    if tag == "set" and isinstance(inner, list):
        return Shown("set(" + _format(readable(inner), 0, inline=True) + ")")
    if tag == "ndarray":
        return _array(envelope)
    if tag == "to_json" and isinstance(inner, str):
        try:
            return readable(json.loads(inner))
        except (ValueError, RecursionError):
            return inner
    if tag == "settings":
        name = f"{envelope.get('__module__', '?')}.{envelope.get('__class__', '?')}"
        return {f"<{name}>": readable(inner)}
    if isinstance(inner, str):
        return Shown(f"<{tag}: {_size(len(inner))} encoded>")
    return {f"<{tag}>": readable(inner)}


def _array(envelope: dict[str, Any]) -> Shown:
    import numpy as np

    from runtime_kit.serialization.decoder import RuntimeDecoder

    try:
        array = json.loads(json.dumps(envelope), cls=RuntimeDecoder, limits=_ARRAY_LIMITS)
    except DecodeError as exc:
        return Shown(f"<ndarray: not shown ({exc})>")
    text = np.array2string(array, threshold=64, max_line_width=_INLINE_CHARS)
    return Shown(f"array({text}, shape={array.shape}, dtype={array.dtype})")


def _format(value: Any, depth: int, *, inline: bool = False) -> str:
    if isinstance(value, Shown):
        return str(value)
    if isinstance(value, dict | list):
        flat = _flat(value)
        if inline or len(flat) <= _INLINE_CHARS - 2 * depth:
            return flat
        pad, inner = "  " * depth, "  " * (depth + 1)
        if isinstance(value, dict):
            items = [f"{inner}{json.dumps(k)}: {_format(v, depth + 1)}" for k, v in value.items()]
            return "{\n" + ",\n".join(items) + f"\n{pad}}}"
        items = [f"{inner}{_format(v, depth + 1)}" for v in value]
        return "[\n" + ",\n".join(items) + f"\n{pad}]"
    return json.dumps(value, ensure_ascii=False)


def _flat(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)}: {_flat(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flat(v) for v in value) + "]"
    return str(value) if isinstance(value, Shown) else json.dumps(value, ensure_ascii=False)


def _size(chars: int) -> str:
    return f"{chars} B" if chars < 1024 else f"{chars / 1024:.1f} KiB"
