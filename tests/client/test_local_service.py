"""The per-user local service: ten commands at once start one service."""

from __future__ import annotations

import json
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.client.test_commands import RUNTIME_KIT, cli


def _services_on(data_dir: Path) -> list[int]:
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            words = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if b"serve" in words and str(data_dir).encode() in words:
            found.append(int(cmdline.parent.name))
    return found


@pytest.mark.service  # the per-user local service
def test_ten_commands_at_once_start_one_service(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUNTIME_KIT_")}
    env |= {
        "RUNTIME_KIT_LOCAL_DIR": str(tmp_path / "local"),
        "RUNTIME_KIT_CONFIG": str(tmp_path / "none.json"),
    }

    def list_programs(_: int) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [RUNTIME_KIT, "programs", "--json", "list"],
            env=env, capture_output=True, text=True, timeout=180, check=False,
        )  # fmt: skip

    try:
        with ThreadPoolExecutor(10) as pool:
            results = list(pool.map(list_programs, range(10)))
        assert [r.returncode for r in results] == [0] * 10, [r.stderr for r in results]
        assert len(_services_on(tmp_path / "local" / "data")) == 1
        state = json.loads((tmp_path / "local" / "state.json").read_text())
        assert _services_on(tmp_path / "local" / "data") == [state["pid"]]
    finally:
        assert cli(env, "service", "stop").returncode == 0
