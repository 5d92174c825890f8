"""What legacy clients sent to IBM's public programs (``applications/legacy-clients.json``,
written once by ``make_application_vectors.py`` in the legacy applications venv)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

APPLICATION_VECTORS = Path(__file__).with_name("applications") / "legacy-clients.json"


@cache
def _rows() -> dict[str, dict[str, Any]]:
    document = json.loads(APPLICATION_VECTORS.read_text())
    return {row["name"]: row for row in document["vectors"]}


def sent(name: str) -> str:
    """The wire text of vector ``name`` (a value, or a program run's inputs)."""
    return str(_rows()[name]["payload"])


def run_of(name: str) -> dict[str, Any]:
    """A recorded program run: ``program_id``, ``options`` and ``payload`` (its inputs)."""
    return dict(_rows()[name])


def names() -> list[str]:
    return list(_rows())
