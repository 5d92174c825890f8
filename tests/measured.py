"""Coverage of the suite's subprocesses (``patch = ["subprocess"]`` in pyproject.toml: every
Python process started from this venv measures runtime-kit's code).

A tool's process that runs none of runtime-kit's code (schemathesis driving a real ``serve``)
would only be slowed by it: the tracer sees every call the tool makes.
"""

from __future__ import annotations

from collections.abc import Mapping

#: What coverage's subprocess patch puts in the environment of the processes it measures.
MEASURED_BY = "COVERAGE_PROCESS_CONFIG"


def unmeasured(environment: Mapping[str, str]) -> dict[str, str]:
    """``environment`` for a process that runs no runtime-kit code: not measured."""
    return {name: value for name, value in environment.items() if name != MEASURED_BY}
