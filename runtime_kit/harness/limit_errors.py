"""Which cap a failure hit, said in words (see ``runtime_kit.jobside.limits``, which the
job-side runner of program environments shares, standard library only)."""

from __future__ import annotations

from runtime_kit.jobside.limits import (
    IMPORT_ADDRESS_SPACE_MIB,
    MEMORY_FAILURE_MARKS,
    limit_reached,
    memory_cap,
    memory_failure_in,
    preparation_needs,
)

__all__ = [
    "IMPORT_ADDRESS_SPACE_MIB",
    "MEMORY_FAILURE_MARKS",
    "limit_reached",
    "memory_cap",
    "memory_failure_in",
    "preparation_needs",
]
