"""The author-facing program API: what ``main(backend, user_messenger, **kwargs)`` receives,
and the decoders users apply to results.  Re-exported lazily (ProgramBackend and RunnerResult
import qiskit; the rest does not)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from runtime_kit.lazy import lazy_getattr

_EXPORTS = {
    "UserMessenger": "runtime_kit.program.messenger",
    "RecordingMessenger": "runtime_kit.program.messenger",
    "ForwardingMessenger": "runtime_kit.program.messenger",
    "ProgramBackend": "runtime_kit.program.backend",
    "BackendConfiguration": "runtime_kit.program.backend",
    "ResultDecoder": "runtime_kit.program.result_decoder",
    "RunnerResult": "runtime_kit.program.runner_result",
    "ParameterNamespace": "runtime_kit.program.namespace",
}

__all__ = [
    "BackendConfiguration",
    "ForwardingMessenger",
    "ParameterNamespace",
    "ProgramBackend",
    "RecordingMessenger",
    "ResultDecoder",
    "RunnerResult",
    "UserMessenger",
]

if TYPE_CHECKING:
    from runtime_kit.program.backend import BackendConfiguration, ProgramBackend
    from runtime_kit.program.messenger import (
        ForwardingMessenger,
        RecordingMessenger,
        UserMessenger,
    )
    from runtime_kit.program.namespace import ParameterNamespace
    from runtime_kit.program.result_decoder import ResultDecoder
    from runtime_kit.program.runner_result import RunnerResult


__getattr__ = lazy_getattr(__name__, _EXPORTS)
