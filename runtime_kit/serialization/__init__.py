"""The runtime wire format: ``{"__type__": ..., "__value__": ...}`` JSON, as the legacy
runtime clients wrote it.  See docs/wire-format.md for every tag and the compatibility notes.

``import runtime_kit.serialization`` imports neither numpy nor qiskit: they are imported
when a value of theirs is encoded or decoded.
"""

from typing import TYPE_CHECKING

from runtime_kit.errors import (
    DecodeError,
    DecodeLimitError,
    EncodeError,
    MalformedDocumentError,
    SerializationError,
    UnsafeSettingsError,
)
from runtime_kit.lazy import lazy_getattr
from runtime_kit.serialization.limits import DecodeLimits

# The encoder and decoder load on first use: ``validate`` needs neither, only envelopes.
_EXPORTS = {
    "RuntimeDecoder": "runtime_kit.serialization.decoder",
    "RuntimeEncoder": "runtime_kit.serialization.encoder",
    "DEFAULT_SETTINGS_CLASSES": "runtime_kit.serialization.settings",
}
__getattr__ = lazy_getattr(__name__, _EXPORTS)

if TYPE_CHECKING:
    from runtime_kit.serialization.decoder import RuntimeDecoder
    from runtime_kit.serialization.encoder import RuntimeEncoder
    from runtime_kit.serialization.settings import DEFAULT_SETTINGS_CLASSES

__all__ = [
    "DEFAULT_SETTINGS_CLASSES",
    "DecodeError",
    "DecodeLimitError",
    "DecodeLimits",
    "EncodeError",
    "MalformedDocumentError",
    "RuntimeDecoder",
    "RuntimeEncoder",
    "SerializationError",
    "UnsafeSettingsError",
]
