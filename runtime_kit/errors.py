"""The one exception tree of runtime-kit: every error raised on a public path is in it.

::

    RuntimeKitError                   root: everything runtime-kit raises on purpose
    ├── SerializationError            the wire codec (RuntimeEncoder / RuntimeDecoder)
    │   ├── EncodeError               a value that cannot be written to the wire format
    │   └── DecodeError               a document that cannot be read back
    │       ├── MalformedDocumentError  not JSON at all (also a json.JSONDecodeError)
    │       ├── DecodeLimitError      a configured decode limit was exceeded
    │       └── UnsafeSettingsError   a ``settings`` object whose class is not allowed
    ├── InputValueError               bad input: program inputs, options, names (exit 2)
    │   └── AmbiguousProgramError     a program name that more than one program has
    ├── MetadataSyntaxError           a metadata or inputs file that cannot be read or parsed
    ├── MigrationError                metadata or source that ``migrate`` cannot rewrite
    ├── SchemaDefinitionError         a declared JSON Schema that cannot be compiled
    ├── ProgramRejectedError          a program ``run``/``publish`` refuses (validate errors)
    ├── RemovedFeatureError           a legacy program used a qiskit feature without successor
    ├── CircuitNotRunnableError       a circuit the device cannot run (its basis, coupling, size)
    ├── BackendPropertyError          a calibration value the device does not have
    ├── BundleError                   program data (source or zip) that is refused
    ├── ProgramEnvironmentError       a program's environment cannot be found or built
    ├── ProjectExistsError            ``new``: the project directory exists already
    ├── TemplateError                 ``new``: a template that cannot be rendered
    ├── ConfigurationError            settings or credentials that cannot work (exit 3)
    │   └── ServiceStartError         ``serve``: a taken port, an unusable data directory
    └── ServiceError                  the service answered with an error or not at all (exit 4)
        ├── NotAuthorizedError        the token may not do this (401, 403)
        ├── ProgramNotFoundError      no such program, or not visible to this token
        ├── JobNotFoundError          no such job, or not this token's
        ├── DuplicateProgramError     a program of that name exists already for this owner
        ├── InvalidStateError         the job's state does not allow this (409)
        │   └── JobCancelledError     the result of a cancelled job
        ├── JobFailureError           the job failed or ran too long
        ├── JobTimeoutError           waiting for the job took longer than asked
        └── LimitExceededError        a quota, a rate or a size limit of the service (429, 413)

``ProjectExistsError`` and ``TemplateError`` live in ``runtime_kit.scaffold``,
``BackendPropertyError`` in ``runtime_kit.program.properties``; all are
exported by ``runtime_kit``.
Every error keeps the exception that caused it as ``__cause__``.
"""

from __future__ import annotations

import json


class RuntimeKitError(Exception):
    """Root of every error runtime-kit raises on purpose."""


class SerializationError(RuntimeKitError):
    """The wire codec failed."""


class EncodeError(SerializationError, TypeError):
    """A value cannot be encoded; ``path`` says where it sits in the encoded document.

    It is also a ``TypeError`` because that is what ``json.dumps`` callers expect.
    """

    def __init__(self, message: str, *, path: str = "$") -> None:
        super().__init__(f"{message} (at {path})")
        self.path = path


class DecodeError(SerializationError, ValueError):
    """A document cannot be decoded; ``tag`` names the ``__type__`` being decoded, if any.

    It is also a ``ValueError``, like ``json.JSONDecodeError``.
    """

    def __init__(self, message: str, *, tag: str | None = None) -> None:
        where = f" (in a '{tag}' value)" if tag else ""
        super().__init__(f"{message}{where}")
        self.tag = tag


class MalformedDocumentError(DecodeError, json.JSONDecodeError):
    """The text is not JSON; ``lineno``/``colno`` say where, as ``json.JSONDecodeError`` does."""

    def __init__(self, msg: str, doc: str, pos: int) -> None:
        json.JSONDecodeError.__init__(self, msg, doc, pos)
        self.tag = None


class DecodeLimitError(DecodeError):
    """A decode limit (see ``DecodeLimits``) was exceeded."""


class UnsafeSettingsError(DecodeError):
    """A ``settings`` object names a class that is not on the allow-list."""

    def __init__(self, message: str, *, class_path: str) -> None:
        super().__init__(message, tag="settings")
        self.class_path = class_path


class InputValueError(RuntimeKitError, ValueError):
    """Program inputs do not match their declared parameters; ``name`` is the parameter."""

    def __init__(self, message: str, *, name: str | None = None) -> None:
        super().__init__(message)
        self.name = name


class AmbiguousProgramError(InputValueError):
    """A program name that several programs visible to this token have; ``program_ids``
    lists them (give one of those ids instead)."""

    def __init__(self, message: str, *, program_ids: list[str]) -> None:
        super().__init__(message, name="program")
        self.program_ids = program_ids


class MetadataSyntaxError(RuntimeKitError):
    """A file cannot be read or parsed; ``path``, ``line`` and ``col`` say where."""

    def __init__(self, message: str, *, path: str, line: int = 0, col: int = 0) -> None:
        super().__init__(f"{message} ({path}:{line}:{col})")
        self.reason = message
        self.path = path
        self.line = line
        self.col = col


class MigrationError(RuntimeKitError, ValueError):
    """v1 metadata that cannot be rewritten as v2 (``keys`` lead to the offending part), or a
    program source that ``migrate --source`` cannot read or parse."""

    def __init__(self, reason: str, *, keys: tuple[str | int, ...] = ()) -> None:
        super().__init__(reason)
        self.reason = reason
        self.keys = keys


class SchemaDefinitionError(RuntimeKitError, ValueError):
    """A declared JSON Schema cannot be compiled (``validate`` reports why, as RK201)."""


class ProgramRejectedError(RuntimeKitError):
    """A program that cannot be run as it is: ``validate`` finds errors (each listed)."""


class RemovedFeatureError(RuntimeKitError, RuntimeError):
    """A legacy program called a qiskit feature removed without a successor (pulse
    scheduling): raised where runtime-kit serves the name (``harness.legacy_qiskit``)."""


class CircuitNotRunnableError(RuntimeKitError, ValueError):
    """A circuit that the device could not run, as a device refused it: ``circuit`` is its
    index in the run, ``instruction`` the index of the first offending instruction (None when
    the circuit as a whole does not fit: too many qubits).  ``transpile(circuit, backend)``
    makes a circuit runnable."""

    def __init__(self, message: str, *, circuit: int, instruction: int | None = None) -> None:
        super().__init__(message)
        self.circuit = circuit
        self.instruction = instruction


class ProgramEnvironmentError(RuntimeKitError):
    """A program's declared environment cannot be had: no interpreter of its Python, a
    requirement the operator does not allow, environments turned off, or the build (the
    resolver's message) failed."""


class BundleError(RuntimeKitError, ValueError):
    """Program data (base64 source or a zip bundle) that is refused; ``status`` is the HTTP
    status a service answers with (400, or 413 for data over a limit)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


class ConfigurationError(RuntimeKitError):
    """Settings or credentials that cannot work: a taken port, a missing token (exit 3)."""


class ServiceStartError(ConfigurationError):
    """The service cannot start: the port is taken, the data directory unusable, no bwrap."""


class ServiceError(RuntimeKitError):
    """A runtime service refused a request or could not be reached (exit 4).

    ``status`` is the HTTP status (None when there was no answer), ``method`` and ``url`` the
    request.
    """

    def __init__(
        self, message: str, *, status: int | None = None, method: str = "", url: str = ""
    ) -> None:
        super().__init__(message)
        self.status = status
        self.method = method
        self.url = url


class NotAuthorizedError(ServiceError):
    """The token may not do this (401, 403)."""


class ProgramNotFoundError(ServiceError):
    """No such program (or not visible to this token)."""


class JobNotFoundError(ServiceError):
    """No such job (or not this token's)."""


class DuplicateProgramError(ServiceError):
    """A program of that name exists already for this owner."""


class InvalidStateError(ServiceError):
    """The job is in a state that does not allow this (cancel after the end, 409)."""


class JobCancelledError(InvalidStateError):
    """The job was cancelled: it has no result."""


class JobFailureError(ServiceError):
    """The job failed or ran too long; the message holds its error."""


class JobTimeoutError(ServiceError):
    """Waiting for the job took longer than the given timeout."""


class LimitExceededError(ServiceError):
    """The service refused a request over one of its limits: a quota of the token, a rate,
    a size (429, 413); the message names the limit.  ``retry_after_s``: when the service
    says to come back (None: not by waiting)."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        method: str = "",
        url: str = "",
        retry_after_s: float | None = None,
    ) -> None:
        super().__init__(message, status=status, method=method, url=url)
        self.retry_after_s = retry_after_s
