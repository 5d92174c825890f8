"""Per-job control groups: one memory and process cap for all of a job's processes together,
its CPU time, and a kill that reaches every process it started.

The service makes a directory of its own under the cgroup it runs in (``runtime-kit-KEY``,
KEY derived from its data directory, so a restarted service finds what a killed one left)
and one child per job process.  cgroup v2 is used when its memory and pids controllers are
available to the service; otherwise the v1 ``memory``, ``pids`` and ``cpuacct`` hierarchies.
Where the service may not create cgroups (not root, nothing delegated), ``detect`` says why
and the caps fall back to rlimits (see ``runtime_kit.sandbox.isolation``).
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import time
from pathlib import Path
from typing import IO, NamedTuple

#: v1 hierarchies used, by controller; v2 controllers enabled for the jobs.
V1_CONTROLLERS = ("memory", "pids", "cpuacct")
V2_CONTROLLERS = ("memory", "pids")
#: How long a kill waits for the cgroup to empty (its processes SIGKILLed again meanwhile).
_KILL_WAIT_S = 0.5


class CgroupEvents(NamedTuple):
    """Counts of what a job's cgroup refused: OOM kills, and forks over ``pids.max``."""

    oom_kills: int
    pids_refused: int


class Cgroups:
    """Where job cgroups are made: one base directory per hierarchy in use."""

    def __init__(self, version: str, bases: dict[str, Path]) -> None:
        self.version = version
        self.bases = bases  # controller (or "unified") -> the service's directory

    def describe(self) -> str:
        names = ", ".join(sorted(self.bases)) if self.version == "v1" else "memory, pids, cpu"
        return f"cgroup {self.version} ({names})"

    def create(self, name: str, *, memory_bytes: int, max_tasks: int) -> JobCgroup:
        """A new cgroup for one job process, with its caps set."""
        directories = {key: base / name for key, base in self.bases.items()}
        for directory in directories.values():
            directory.mkdir()
        job = JobCgroup(self.version, directories)
        job.set_limits(memory_bytes=memory_bytes, max_tasks=max_tasks)
        return job

    def close(self) -> None:
        """Remove the service's own directories once its job cgroups are gone (one that is
        still there keeps its directory: the next start of this service removes both)."""
        for base in self.bases.values():
            with contextlib.suppress(FileNotFoundError, OSError):
                base.rmdir()

    def remove_leftovers(self) -> int:
        """Kill and remove the job cgroups a previous run of this service left behind."""
        names = {p.name for base in self.bases.values() for p in base.iterdir() if p.is_dir()}
        for name in names:
            leftover = JobCgroup(self.version, {k: b / name for k, b in self.bases.items()})
            leftover.kill()
            leftover.remove()
        return len(names)


class JobCgroup:
    def __init__(self, version: str, directories: dict[str, Path]) -> None:
        self.version = version
        self.directories = directories

    @property
    def procs_files(self) -> list[str]:
        """The files a process writes ``0`` into to join (one per hierarchy)."""
        return [str(directory / "cgroup.procs") for directory in self.directories.values()]

    def set_limits(self, *, memory_bytes: int, max_tasks: int) -> None:
        if self.version == "v2":
            unified = self.directories["unified"]
            _write(unified / "memory.max", memory_bytes)
            _write(unified / "memory.swap.max", 0, missing_ok=True)
            _write(unified / "pids.max", max_tasks)
            return
        if "memory" in self.directories:
            memory = self.directories["memory"]
            _write(memory / "memory.limit_in_bytes", memory_bytes)
            # With swap accounting, memory + swap gets the same cap: no escape into swap.
            _write(memory / "memory.memsw.limit_in_bytes", memory_bytes, missing_ok=True)
        if "pids" in self.directories:
            _write(self.directories["pids"] / "pids.max", max_tasks)

    def cpu_seconds(self) -> float | None:
        """CPU time used by all the job's processes so far, if this cgroup accounts it."""
        if self.version == "v2":
            for line in _read(self.directories["unified"] / "cpu.stat").splitlines():
                key, _, value = line.partition(" ")
                if key == "usage_usec":
                    return int(value) / 1e6
            return None
        if "cpuacct" not in self.directories:
            return None
        return int(_read(self.directories["cpuacct"] / "cpuacct.usage") or 0) / 1e9

    def events(self) -> CgroupEvents:
        if self.version == "v2":
            unified = self.directories["unified"]
            memory = _keyed(_read(unified / "memory.events"))
            pids = _keyed(_read(unified / "pids.events"))
            return CgroupEvents(memory.get("oom_kill", 0), pids.get("max", 0))
        oom = pids_refused = 0
        if "memory" in self.directories:
            oom = _keyed(_read(self.directories["memory"] / "memory.oom_control")).get(
                "oom_kill", 0
            )
        if "pids" in self.directories:
            pids_refused = _keyed(_read(self.directories["pids"] / "pids.events")).get("max", 0)
        return CgroupEvents(oom, pids_refused)

    def pids(self) -> set[int]:
        found: set[int] = set()
        for procs in self.procs_files:
            found.update(int(pid) for pid in _read(Path(procs)).split())
        return found

    def kill(self) -> None:
        """SIGKILL every process in the cgroup, again until none is left (a process that
        was forking meanwhile may have added one)."""
        kill_file = self.directories.get("unified", Path("/nonexistent")) / "cgroup.kill"
        if kill_file.exists():
            _write(kill_file, 1)
        # Killed processes leave in a millisecond or so (a job's ends a job): look again
        # soon, then less often.
        pause_s = 0.0005
        deadline = time.monotonic() + _KILL_WAIT_S
        while time.monotonic() < deadline:
            pids = self.pids()
            if not pids:
                return
            for pid in pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(pause_s)
            pause_s = min(2 * pause_s, 0.01)

    def remove(self, timeout_s: float = 5.0) -> None:
        """Remove the (empty) cgroup; dying processes may take a moment to leave it."""
        deadline = time.monotonic() + timeout_s
        for directory in self.directories.values():
            while True:
                try:
                    directory.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError as exc:
                    if exc.errno != errno.EBUSY or time.monotonic() > deadline:
                        raise
                    self.kill()
                    time.sleep(0.02)


class Unavailable(NamedTuple):
    reason: str


def detect(key: str) -> Cgroups | Unavailable:
    """The cgroups this process may make job cgroups in, under ``runtime-kit-KEY``."""
    own = _own_cgroups()
    mounts = _cgroup_mounts()
    unified = mounts.get("unified")
    if unified is not None and "" in own:
        found = _v2(unified / own[""].lstrip("/"), key)
        if isinstance(found, Cgroups):
            return found
        v2_reason = found.reason
    else:
        v2_reason = "no cgroup v2 hierarchy"
    bases: dict[str, Path] = {}
    for controller in V1_CONTROLLERS:
        mount = mounts.get(controller)
        if mount is None or controller not in own:
            continue
        base = mount / own[controller].lstrip("/") / f"runtime-kit-{key}"
        try:
            base.mkdir(exist_ok=True)
        except OSError as exc:
            return Unavailable(f"{v2_reason}; cgroup v1 {controller}: {exc.strerror}")
        bases[controller] = base
    if "memory" not in bases or "pids" not in bases:
        return Unavailable(f"{v2_reason}; no cgroup v1 memory and pids controllers")
    return Cgroups("v1", bases)


def _v2(own: Path, key: str) -> Cgroups | Unavailable:
    """v2: jobs under ``OWN/runtime-kit-KEY``, with memory and pids enabled for them.
    A cgroup with processes cannot give controllers to children ("no internal processes"),
    so the service first moves itself into a leaf of its own (as systemd's Delegate= expects)."""
    available = _read(own / "cgroup.controllers").split()
    missing = [name for name in V2_CONTROLLERS if name not in available]
    if missing:
        return Unavailable(f"cgroup v2 controllers not available here: {', '.join(missing)}")
    base = own / f"runtime-kit-{key}"
    try:
        _enable(own, own / "runtime-kit-service")
        base.mkdir(exist_ok=True)
        _write(base / "cgroup.subtree_control", " ".join(f"+{c}" for c in V2_CONTROLLERS))
    except OSError as exc:
        return Unavailable(f"cgroup v2 at {own}: {exc.strerror or exc}")
    return Cgroups("v2", {"unified": base})


def _enable(own: Path, leaf: Path) -> None:
    wanted = " ".join(f"+{c}" for c in V2_CONTROLLERS)
    try:
        _write(own / "cgroup.subtree_control", wanted)
    except OSError as exc:
        if exc.errno != errno.EBUSY:
            raise
        leaf.mkdir(exist_ok=True)
        for pid in _read(own / "cgroup.procs").split():
            with contextlib.suppress(ProcessLookupError):
                _write(leaf / "cgroup.procs", pid)
        _write(own / "cgroup.subtree_control", wanted)


def _own_cgroups() -> dict[str, str]:
    """This process's cgroup per v1 controller, and ``""`` for v2 (``/proc/self/cgroup``)."""
    found: dict[str, str] = {}
    for line in _read(Path("/proc/self/cgroup")).splitlines():
        _, controllers, path = line.split(":", 2)
        for controller in controllers.split(",") if controllers else [""]:
            found[controller] = path
    return found


def _cgroup_mounts() -> dict[str, Path]:
    """Mount points: ``unified`` for cgroup2, and each v1 controller's hierarchy."""
    found: dict[str, Path] = {}
    for line in _read(Path("/proc/self/mountinfo")).splitlines():
        fields = line.split(" - ", 1)
        if len(fields) != 2:
            continue
        mount_point = Path(fields[0].split()[4])
        kind, _, options = fields[1].split(" ", 2)
        if kind == "cgroup2":
            found.setdefault("unified", mount_point)
        elif kind == "cgroup":
            for option in options.split(","):
                if option in V1_CONTROLLERS:
                    found.setdefault(option, mount_point)
    return found


def _keyed(text: str) -> dict[str, int]:
    values: dict[str, int] = {}
    for line in text.splitlines():
        key, _, value = line.partition(" ")
        if value.strip().isdigit():
            values[key] = int(value)
    return values


def _read(path: Path) -> str:
    """The file's text; empty when the cgroup is gone (removed meanwhile)."""
    try:
        with path.open() as handle:
            return text_of(handle)
    except OSError as exc:
        if _gone(exc):
            return ""
        raise


def text_of(handle: IO[str]) -> str:
    """What is left to read of an open cgroup file; empty when the cgroup was removed since
    it was opened (the kernel then fails the read with ENODEV)."""
    try:
        return handle.read()
    except OSError as exc:
        if _gone(exc):
            return ""
        raise


def _gone(exc: OSError) -> bool:
    return isinstance(exc, FileNotFoundError) or exc.errno == errno.ENODEV


def _write(path: Path, value: object, *, missing_ok: bool = False) -> None:
    try:
        path.write_text(str(value))
    except FileNotFoundError:
        if not missing_ok:
            raise
