"""The logging of a job's program, at the level the job asked for (``log_level``: the legacy
``options={"log_level": "INFO"}``, ``RuntimeOptions(log_level=...)``).

With a level, the program's root logger writes records of that level and above to stderr (so
to the job's logs), as ``logging.basicConfig`` would: ``logger.info(...)`` shows at ``INFO``,
not at ``ERROR``.  Qiskit's own loggers stay at ``WARNING``: at ``INFO`` its transpiler logs a
line per pass, which would bury the program's.  Without a level, Python's default holds:
warnings and worse only.
"""

from __future__ import annotations

import logging
import sys

#: The level names a job may ask for (the legacy clients check the same names).
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
#: Libraries whose records below WARNING are not the program's.
QUIET_LIBRARIES = ("qiskit", "qiskit_aer")


def configure_job_logging(level: str | None) -> None:
    """Log the program's records of ``level`` (a name of ``LEVELS``, any case) and above to
    stderr; nothing to do for None."""
    if level is None:
        return
    name = level.upper()
    if name not in LEVELS:
        raise ValueError(f"log_level must be one of {', '.join(LEVELS)}: {level!r:.40}")
    root = logging.getLogger()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(logging.BASIC_FORMAT))
    root.addHandler(handler)
    root.setLevel(name)
    for library in QUIET_LIBRARIES:
        quiet = logging.getLogger(library)
        quiet.setLevel(max(logging.WARNING, quiet.getEffectiveLevel()))
