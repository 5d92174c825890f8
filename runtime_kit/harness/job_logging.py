"""The logging of a job's program at the level the job asked for (see
``runtime_kit.jobside.job_logging``, which the job-side runner of program environments shares,
standard library only)."""

from __future__ import annotations

from runtime_kit.jobside.job_logging import LEVELS, QUIET_LIBRARIES, configure_job_logging

__all__ = ["LEVELS", "QUIET_LIBRARIES", "configure_job_logging"]
