"""How ``pytest -n N`` (pytest-xdist) shares the suite out: a module at a time, so that a
module's fixtures (one ``serve`` for all its tests) start once; tests marked
``xdist_group(NAME)`` together, whichever module holds them (the Ray tests: one cluster).

Run with ``--dist loadgroup`` (xdist then suffixes each grouped test's id with ``@NAME``).
"""

from __future__ import annotations

from typing import Any

import pytest


class ModulesAndGroups:
    """The plugin that makes the scheduler (registered by tests/conftest.py with xdist)."""

    @pytest.hookimpl(tryfirst=True)
    def pytest_xdist_make_scheduler(self, config: pytest.Config, log: Any) -> Any:
        if config.getvalue("dist") != "loadgroup":
            return None
        from xdist.scheduler import LoadScopeScheduling

        class Scheduling(LoadScopeScheduling):  # type: ignore[misc]
            def _split_scope(self, nodeid: str) -> str:
                if nodeid.rfind("@") > nodeid.rfind("]"):  # a parameter may hold "@"
                    return nodeid.rsplit("@", 1)[-1]
                return nodeid.split("::", 1)[0]

        return Scheduling(config, log)
