"""How ``pytest -n N --dist loadgroup`` (pytest-xdist) shares the suite out: each test on its
own, wherever a worker is free, except the tests that share something costly, which go
together to one worker (an ``xdist_group``):

- the tests of a module with a module-scoped fixture (one ``serve`` for all its tests, a
  side venv's stack, pre-commit's hook environment): that fixture starts once;
- every test marked ``ray``: one Ray cluster (``ray_cluster`` is session-scoped).

xdist sends the biggest groups first, so the long ones do not end the run on one worker.
"""

from __future__ import annotations

import pytest

SHARED_SCOPES = {"module", "class", "package"}


def group_of(item: pytest.Item) -> str | None:
    """The group ``item`` runs in, or None: on its own."""
    if item.get_closest_marker("ray") is not None:
        return "ray"
    fixtures = getattr(item, "_fixtureinfo", None)
    if fixtures is None:
        return None
    for definitions in fixtures.name2fixturedefs.values():
        if any(definition.scope in SHARED_SCOPES for definition in definitions):
            return item.nodeid.split("::", 1)[0]
    return None
