"""The client's errors, all ``ServiceError`` (carrying ``status``, ``method`` and ``url``):
every HTTP failure maps once to one of these.  Defined in ``runtime_kit.errors`` (the one
tree); importable from here too."""

from __future__ import annotations

from runtime_kit.errors import (
    DuplicateProgramError,
    InvalidStateError,
    JobCancelledError,
    JobFailureError,
    JobNotFoundError,
    JobTimeoutError,
    LimitExceededError,
    NotAuthorizedError,
    ProgramNotFoundError,
)

__all__ = [
    "DuplicateProgramError",
    "InvalidStateError",
    "JobCancelledError",
    "JobFailureError",
    "JobNotFoundError",
    "JobTimeoutError",
    "LimitExceededError",
    "NotAuthorizedError",
    "ProgramNotFoundError",
]
