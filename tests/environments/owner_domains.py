"""What a test's service built in its owner's trust domain, removed after it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from runtime_kit.environments.cache import INFO_FILE, EnvironmentCache


def forget_owner_domains(root: Path) -> None:
    """Remove what this run's service built in its owner's trust domain (a set that needed a
    build: terra 0.18's python-constraint), and its owners' download caches: a new service's
    owner is another domain, so they would never be used again, and the shared cache would
    grow by them at every run."""
    cache = EnvironmentCache(root)
    for path in (root / "envs").iterdir():
        info = path / INFO_FILE
        if info.is_file() and json.loads(info.read_text()).get("domain", "").startswith("owner-"):
            cache.remove(path.name)
    for downloads in (root / "uv").glob("owner-*"):
        shutil.rmtree(downloads, ignore_errors=True)
