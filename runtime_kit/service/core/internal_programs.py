"""The service's internal programs (``runtime_kit/internal_programs``): programs its own routes
submit jobs for, so that those jobs run through the same scheduler, sandbox, limits and quotas
as any program's.  Stored like the built-ins (id: the folder's name, version: runtime-kit's),
owned by ``INTERNAL_OWNER`` and private: no route lists or shows them, to anyone, and no job
can name them (``Api.program_scope``).  They are registered at every start, whether or not the
built-in programs are offered.
"""

from __future__ import annotations

from pathlib import Path

from runtime_kit.service.core.store import Store

INTERNAL_DIR = Path(__file__).resolve().parents[2] / "internal_programs"
#: The owner of the internal programs: no token is, and no scope shows its programs.
INTERNAL_OWNER = "runtime-kit:internal"
#: The program that runs a legacy Qobj (``circuit_jobs_api``).
QOBJ_RUNNER = "qobj-runner"


def register_internal_programs(store: Store) -> list[str]:
    """Add the internal programs at runtime-kit's version (those that lack it); their ids."""
    from runtime_kit import __version__
    from runtime_kit.service.core.builtins import _register

    projects = sorted(p for p in INTERNAL_DIR.iterdir() if (p / "metadata.json").is_file())
    return [
        _register(store, project, __version__, owner=INTERNAL_OWNER, public=False)
        for project in projects
    ]
