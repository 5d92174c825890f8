"""The cache of built environments: least recently used go first under the size cap, never one
a job is using; concurrent first jobs build an environment once."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from runtime_kit.environments.builder import EnvironmentBuilder
from runtime_kit.environments.cache import INFO_FILE, EnvironmentCache
from runtime_kit.environments.declaration import EnvironmentSpec

DEADLINE_S = 300
MIB = 1024 * 1024


def built(cache: EnvironmentCache, key: str, mib: int, used_at: float) -> None:
    """An environment of ``key`` said to hold ``mib`` MiB, last used at ``used_at``."""
    with cache.building(key) as target:
        assert target is not None
        target.mkdir()
        (target / "bin").mkdir()
        (target / INFO_FILE).write_text(json.dumps({"key": key, "bytes": mib * MIB}))
    with cache.using(key):
        pass
    marker = cache.root / "locks" / f"{key}..runtime-kit-used"
    os.utime(marker, (used_at, used_at))


def test_least_recently_used_go_first_down_to_the_cap(tmp_path: Path) -> None:
    cache = EnvironmentCache(tmp_path, max_bytes=250 * MIB)
    now = time.time()
    for minutes in (0, 3, 1, 2):  # built in another order than used
        built(cache, f"used-{minutes}-min-ago", 100, now - 60 * minutes)
    cache.remember_resolution("declaration", {"key": "used-3-min-ago"})
    assert cache.evict() == ["used-3-min-ago", "used-2-min-ago"]  # 400 MiB -> 200 MiB
    assert not cache.path("used-3-min-ago").exists()
    assert cache.built("used-0-min-ago") and cache.built("used-1-min-ago")
    assert cache.resolution("declaration") is None  # forgotten with it
    assert not (tmp_path / "resolved" / "declaration.json").exists()
    assert cache.describe() == {"environments": 2, "bytes": 200 * MIB, "max_bytes": 250 * MIB}
    assert cache.evict() == []  # under the cap: nothing more


def test_an_environment_in_use_or_just_built_is_never_removed(tmp_path: Path) -> None:
    cache = EnvironmentCache(tmp_path, max_bytes=150 * MIB)
    now = time.time()
    built(cache, "in-use", 100, now - 300)
    built(cache, "idle", 100, now - 200)
    built(cache, "just-built", 100, now - 100)
    entered, leave = threading.Event(), threading.Event()

    def job() -> None:
        with cache.using("in-use"):
            entered.set()
            leave.wait(DEADLINE_S)

    running = threading.Thread(target=job)
    running.start()
    try:
        assert entered.wait(DEADLINE_S)
        assert cache.evict(keep="just-built") == ["idle"]  # still over the cap: nothing else
        assert cache.built("in-use") and cache.built("just-built")
    finally:
        leave.set()
        running.join(DEADLINE_S)
    # the job ended (and used it last): now the least recently used is the other one
    assert cache.evict() == ["just-built"]
    assert cache.built("in-use")


CHILD = """
import json, sys
from pathlib import Path
from runtime_kit.environments.builder import EnvironmentBuilder
from runtime_kit.environments.cache import EnvironmentCache
from runtime_kit.environments.declaration import EnvironmentSpec
lines = []
builder = EnvironmentBuilder(EnvironmentCache(Path(sys.argv[1])))
built = builder.prepare(EnvironmentSpec(("six==1.16.0",)), domain=sys.argv[2], log=lines.append)
print(json.dumps({"path": str(built.path), "lines": lines}))
"""


def waiters_on(path: Path) -> int:
    """How many processes wait for a lock on ``path`` (Linux's /proc/locks: "->" lines)."""
    inode = os.stat(path).st_ino
    lines = Path("/proc/locks").read_text().splitlines()
    return sum(1 for line in lines if "->" in line and f":{inode} " in line)


def test_concurrent_first_jobs_build_once(tmp_path: Path) -> None:
    """Two owners' first jobs of one wheels-only set: both resolve, one builds while the
    other waits for the key's lock, then finds it built.  (The test holds the lock until
    both wait, so they really overlap.)"""
    root = tmp_path / "environments"
    cache = EnvironmentCache(root)
    spec = EnvironmentSpec(("six==1.16.0",))
    key = EnvironmentBuilder(cache).resolve(spec, domain="test", log=lambda line: None).key
    lock = root / "locks" / f"{key}.lock"
    with open(lock, "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        children = [
            subprocess.Popen(
                [sys.executable, "-c", CHILD, str(root), owner],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for owner in ("owner-a", "owner-b")
        ]
        deadline = time.monotonic() + DEADLINE_S
        while waiters_on(lock) < 2:
            assert time.monotonic() < deadline, "the two first jobs never both waited"
            assert all(child.poll() is None for child in children), "a first job ended early"
            time.sleep(0.1)
        fcntl.flock(held, fcntl.LOCK_UN)
    outcomes = []
    for child in children:
        out, err = child.communicate(timeout=DEADLINE_S)
        assert child.returncode == 0, err
        outcomes.append(json.loads(out))
    assert outcomes[0]["path"] == outcomes[1]["path"] == str(cache.path(key))
    lines = [line for outcome in outcomes for line in outcome["lines"]]
    assert sum(line.startswith("building environment ") for line in lines) == 1, lines
    assert sum(line.endswith("was built by another job: reused") for line in lines) == 1
    assert len(list((root / "envs").iterdir())) == 1 and cache.built(key)
