"""The directories of job runners on a Ray node: claimed while a runner lives, swept after."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from runtime_kit.service.executors.node_dirs import NodeDirectory

HOLD = """
import sys, time
from pathlib import Path
from runtime_kit.service.executors.node_dirs import NodeDirectory
NodeDirectory(Path(sys.argv[1]), sys.argv[2]).claim()
print("claimed", flush=True)
time.sleep(60)
"""


def _runner(root: Path, key: str) -> subprocess.Popen[str]:
    """A process that claims ``key`` and holds it until killed (as a runner would)."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(root), key], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None and process.stdout.readline() == "claimed\n"
    return process


def _end(process: subprocess.Popen[str]) -> None:
    """Kill it, as ``ray.kill`` does: no chance to remove its directory."""
    process.kill()
    process.wait(timeout=30)
    assert process.stdout is not None
    process.stdout.close()


def test_a_runner_sweeps_only_the_directories_of_ended_runners(tmp_path: Path) -> None:
    alive, ended = _runner(tmp_path, "alive"), _runner(tmp_path, "ended")
    (tmp_path / "ended" / "work").mkdir()
    _end(ended)
    try:
        mine = NodeDirectory(tmp_path, "mine")
        assert mine.claim() == tmp_path / "mine"
        assert mine.sweep() == [tmp_path / "ended"]
        assert sorted(os.listdir(tmp_path)) == ["alive", "alive.lock", "mine", "mine.lock"]
        mine.release()
        assert sorted(os.listdir(tmp_path)) == ["alive", "alive.lock"]
    finally:
        _end(alive)


def test_a_key_is_claimed_again_once_its_runner_has_ended(tmp_path: Path) -> None:
    first = _runner(tmp_path, "slot-0")
    _end(first)
    again = NodeDirectory(tmp_path, "slot-0")
    assert again.claim() == tmp_path / "slot-0"
    again.release()
    assert os.listdir(tmp_path) == []
