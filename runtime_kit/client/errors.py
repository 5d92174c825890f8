"""Errors of the client: every HTTP failure maps once to one of these (all ``ServiceError``,
carrying ``status``, ``method`` and ``url``)."""

from __future__ import annotations

from runtime_kit.errors import ServiceError


class ProgramNotFoundError(ServiceError):
    """No such program (or not visible to this token)."""


class JobNotFoundError(ServiceError):
    """No such job (or not this token's)."""


class DuplicateProgramError(ServiceError):
    """A program of that name exists already for this owner."""


class NotAuthorizedError(ServiceError):
    """The token may not do this (401, 403)."""


class InvalidStateError(ServiceError):
    """The job is in a state that does not allow this (cancel after the end, 409)."""


class JobFailureError(ServiceError):
    """The job failed or was cancelled; the message holds its error."""


class JobTimeoutError(ServiceError):
    """Waiting for the job took longer than the given timeout."""
