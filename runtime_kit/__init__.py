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
    "MetadataSyntaxError": "runtime_kit.errors",
    "MigrationError": "runtime_kit.errors",
    "ProgramRejectedError": "runtime_kit.errors",
    "RemovedFeatureError": "runtime_kit.errors",
    "CircuitNotRunnableError": "runtime_kit.errors",
    "SchemaDefinitionError": "runtime_kit.errors",
    "validate": "runtime_kit.validation",
    "Finding": "runtime_kit.findings",
    "Severity": "runtime_kit.findings",
    "migrate_file": "runtime_kit.metadata.migrate",
    "migrate_metadata": "runtime_kit.metadata.migrate",
    "migrate_source": "runtime_kit.modernize.source",
    "migrate_source_file": "runtime_kit.modernize.source",
    "run_program": "runtime_kit.harness.runner",
    "RunRecord": "runtime_kit.harness.record",
    "create_project": "runtime_kit.scaffold",
    "RuntimeService": "runtime_kit.client.service",
    "RuntimeProgram": "runtime_kit.client.program",
    "RuntimeJob": "runtime_kit.client.job",
    "ServiceError": "runtime_kit.errors",
    "ConfigurationError": "runtime_kit.errors",
    "AmbiguousProgramError": "runtime_kit.errors",
    "BundleError": "runtime_kit.errors",
    "ProgramEnvironmentError": "runtime_kit.errors",
    "MalformedDocumentError": "runtime_kit.errors",
    "NotAuthorizedError": "runtime_kit.errors",
    "ProgramNotFoundError": "runtime_kit.errors",
    "JobNotFoundError": "runtime_kit.errors",
    "DuplicateProgramError": "runtime_kit.errors",
    "InvalidStateError": "runtime_kit.errors",
    "JobCancelledError": "runtime_kit.errors",
    "JobFailureError": "runtime_kit.errors",
    "JobTimeoutError": "runtime_kit.errors",
    "LimitExceededError": "runtime_kit.errors",
    "ProjectExistsError": "runtime_kit.scaffold",
    "TemplateError": "runtime_kit.scaffold",
    "ServiceStartError": "runtime_kit.errors",
}

__all__ = [
    "AmbiguousProgramError",
    "BundleError",
    "ConfigurationError",
    "DecodeError",
    "DecodeLimitError",
    "DecodeLimits",
    "DuplicateProgramError",
    "EncodeError",
    "Finding",
    "InputValueError",
    "InvalidStateError",
    "JobCancelledError",
    "JobFailureError",
    "JobNotFoundError",
    "JobTimeoutError",
    "LimitExceededError",
    "MalformedDocumentError",
    "MetadataSyntaxError",
    "MigrationError",
    "NotAuthorizedError",
    "ParameterNamespace",
    "ProgramBackend",
    "ProgramEnvironmentError",
    "ProgramNotFoundError",
    "ProgramRejectedError",
    "ProjectExistsError",
    "RemovedFeatureError",
    "CircuitNotRunnableError",
    "ResultDecoder",
    "RunRecord",
    "RunnerResult",
    "RuntimeDecoder",
    "RuntimeEncoder",
    "RuntimeJob",
    "RuntimeKitError",
    "RuntimeProgram",
    "RuntimeService",
    "SchemaDefinitionError",
    "SerializationError",
    "ServiceError",
    "ServiceStartError",
    "Severity",
    "TemplateError",
    "UnsafeSettingsError",
    "UserMessenger",
    "create_project",
    "migrate_file",
    "migrate_source",
    "migrate_source_file",
    "migrate_metadata",
    "run_program",
    "validate",
    "__version__",
]

if TYPE_CHECKING:
    from runtime_kit.client.job import RuntimeJob
    from runtime_kit.client.program import RuntimeProgram
    from runtime_kit.client.service import RuntimeService
    from runtime_kit.errors import (
        AmbiguousProgramError,
        BundleError,
        CircuitNotRunnableError,
        ConfigurationError,
        DecodeError,
        DecodeLimitError,
        DuplicateProgramError,
        EncodeError,
        InputValueError,
        InvalidStateError,
        JobCancelledError,
        JobFailureError,
        JobNotFoundError,
        JobTimeoutError,
        LimitExceededError,
        MalformedDocumentError,
        MetadataSyntaxError,
        MigrationError,
        NotAuthorizedError,
        ProgramEnvironmentError,
        ProgramNotFoundError,
        ProgramRejectedError,
        RemovedFeatureError,
        RuntimeKitError,
        SchemaDefinitionError,
        SerializationError,
        ServiceError,
        ServiceStartError,
        UnsafeSettingsError,
    )
    from runtime_kit.findings import Finding, Severity
    from runtime_kit.harness.record import RunRecord
    from runtime_kit.harness.runner import run_program
    from runtime_kit.metadata.migrate import migrate_file, migrate_metadata
    from runtime_kit.modernize.source import migrate_source, migrate_source_file
    from runtime_kit.program import (
        ParameterNamespace,
        ProgramBackend,
        ResultDecoder,
        RunnerResult,
        UserMessenger,
    )
    from runtime_kit.scaffold import ProjectExistsError, TemplateError, create_project
    from runtime_kit.serialization import DecodeLimits, RuntimeDecoder, RuntimeEncoder
    from runtime_kit.validation import validate


__getattr__ = lazy_getattr(__name__, _EXPORTS)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
