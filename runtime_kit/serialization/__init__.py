"""The runtime wire format: ``{"__type__": ..., "__value__": ...}`` JSON, as the legacy
runtime clients wrote it.  See docs/wire-format.md for every tag and the compatibility notes.

``import runtime_kit.serialization`` imports neither numpy nor qiskit: they are imported
when a value of theirs is encoded or decoded.
"""

from runtime_kit.errors import (
    DecodeError,
    DecodeLimitError,
    EncodeError,
    MalformedDocumentError,
    SerializationError,
    UnsafeSettingsError,
)
from runtime_kit.serialization.decoder import RuntimeDecoder
from runtime_kit.serialization.encoder import RuntimeEncoder
from runtime_kit.serialization.limits import DecodeLimits
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
