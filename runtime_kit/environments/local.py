"""Where ``runtime-kit run`` keeps the environments it builds: the user's cache directory
(``RUNTIME_KIT_ENVIRONMENTS_DIR`` to choose another), uv's downloads included."""

from __future__ import annotations

import os
from pathlib import Path

from runtime_kit.environments.cache import EnvironmentCache

ENVIRONMENTS_DIR_VARIABLE = "RUNTIME_KIT_ENVIRONMENTS_DIR"


def environments_dir() -> Path:
    override = os.environ.get(ENVIRONMENTS_DIR_VARIABLE)
    if override:
        return Path(override)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("runtime-kit", appauthor=False)) / "environments"


def local_cache() -> EnvironmentCache:
    return EnvironmentCache(environments_dir())
