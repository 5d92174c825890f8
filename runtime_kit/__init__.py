"""runtime-kit: write, test and publish Qiskit Runtime programs.

The public API is re-exported here lazily, so ``import runtime_kit`` stays cheap and never
imports qiskit: each name is imported from its module on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"

from runtime_kit.lazy import lazy_getattr

_EXPORTS = {
    "RuntimeEncoder": "runtime_kit.serialization",
    "RuntimeDecoder": "runtime_kit.serialization",
    "DecodeLimits": "runtime_kit.serialization",
    "UserMessenger": "runtime_kit.program",
    "ProgramBackend": "runtime_kit.program",
    "ResultDecoder": "runtime_kit.program",
    "RunnerResult": "runtime_kit.program",
    "ParameterNamespace": "runtime_kit.program",
    "RuntimeKitError": "runtime_kit.errors",
    "SerializationError": "runtime_kit.errors",
    "EncodeError": "runtime_kit.errors",
    "DecodeError": "runtime_kit.errors",
    "DecodeLimitError": "runtime_kit.errors",
    "UnsafeSettingsError": "runtime_kit.errors",
    "InputValueError": "runtime_kit.errors",
}

__all__ = [
    "DecodeError",
    "DecodeLimitError",
    "DecodeLimits",
    "EncodeError",
    "InputValueError",
    "ParameterNamespace",
    "ProgramBackend",
    "ResultDecoder",
    "RunnerResult",
    "RuntimeDecoder",
    "RuntimeEncoder",
    "RuntimeKitError",
    "SerializationError",
    "UnsafeSettingsError",
    "UserMessenger",
    "__version__",
]

if TYPE_CHECKING:
    from runtime_kit.errors import (
        DecodeError,
        DecodeLimitError,
        EncodeError,
        InputValueError,
        RuntimeKitError,
        SerializationError,
        UnsafeSettingsError,
    )
    from runtime_kit.program import (
        ParameterNamespace,
        ProgramBackend,
        ResultDecoder,
        RunnerResult,
        UserMessenger,
    )
    from runtime_kit.serialization import DecodeLimits, RuntimeDecoder, RuntimeEncoder


__getattr__ = lazy_getattr(__name__, _EXPORTS)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
