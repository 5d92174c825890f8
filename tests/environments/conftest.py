"""Program environments are built for real (uv, PyPI): into ``ROOT/.cache/environments``, a
git-ignored folder of the checkout, so the first ``make test`` builds them and later runs
(and other checkouts' runs of the same commit) reuse them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT

ENVIRONMENTS = ROOT / ".cache" / "environments"
PROGRAMS = Path(__file__).with_name("programs")


@pytest.fixture
def environments_dir(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """``runtime-kit run``'s environments (and uv's downloads) in the shared test cache."""
    ENVIRONMENTS.mkdir(parents=True, exist_ok=True)
    monkeypatch.setenv("RUNTIME_KIT_ENVIRONMENTS_DIR", str(ENVIRONMENTS))
    yield ENVIRONMENTS


def legacy_encoded(code: str) -> str:
    """The wire text the legacy client (qiskit-ibmq-provider 0.20, .venv-legacy) encodes
    ``code``'s ``VALUE`` into."""
    import subprocess

    from tests.interop.legacy_env import legacy_python

    script = (
        "import json\nfrom qiskit.providers.ibmq.runtime.utils import RuntimeEncoder\n"
        f"{code}\nprint(json.dumps(VALUE, cls=RuntimeEncoder))\n"
    )
    done = subprocess.run(
        [str(legacy_python()), "-c", script],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    return done.stdout.strip()
