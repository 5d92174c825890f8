"""The lowest versions runtime-kit says it works with: ``name==minimum`` for each of its
dependencies (``pyproject.toml``), as pip constraints for the lower-bounds run
(``make lower-bounds``: a virtual environment with exactly those, and a part of the suite
that uses every one of them)."""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def minimums() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = []
    for requirement in project["dependencies"]:
        found = re.match(r"([A-Za-z0-9_.-]+)(?:\[[^]]*\])?\s*>=\s*([0-9][^,;\s]*)", requirement)
        if found is None:
            raise SystemExit(f"pyproject.toml: {requirement!r} has no minimum version (>=)")
        pins.append(f"{found[1]}=={found[2]}")
    return pins


if __name__ == "__main__":
    sys.stdout.write("\n".join(minimums()) + "\n")
