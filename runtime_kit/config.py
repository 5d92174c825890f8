"""Where runtime-kit keeps its state: the one module that reads the environment.

- ``RUNTIME_KIT_CACHE_DIR``: compiled validators and other disposable caches
  (default: the platformdirs user cache directory).
"""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """Directory for disposable caches (may not exist yet)."""
    configured = os.environ.get("RUNTIME_KIT_CACHE_DIR")
    if configured:
        return Path(configured)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("runtime-kit", appauthor=False))
