"""How a service confines its job processes, chosen once at start: ``Isolation``.

``--sandbox auto`` (the default) uses bubblewrap and refuses to start when it cannot run it;
``bwrap`` the same; ``none`` runs jobs as plain processes of the service's user (for the
per-user local service, which runs only its user's own programs).  In every mode a job
starts from an allow-listed environment, and its caps apply: with cgroups (when the service
may create them) for all its processes together, with rlimits otherwise.  ``describe()``
says which mechanisms are active; the service prints it at start and in ``/health``.
"""

from __future__ import annotations

import base64
import json
import os
import platform
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from runtime_kit.errors import ConfigurationError
from runtime_kit.sandbox import bwrap as bw
from runtime_kit.sandbox import cgroups as cg
from runtime_kit.sandbox import seccomp
from runtime_kit.sandbox.environment import job_environment
from runtime_kit.sandbox.limits import MIB, JobLimits
from runtime_kit.sandbox.uids import UidPool

MODES = ("auto", "bwrap", "prefer", "none")
ENTER = str(Path(__file__).with_name("enter.py"))
INSTALL_HINT = (
    "install bubblewrap (Debian/Ubuntu: apt install bubblewrap) or pass --sandbox none to run "
    "jobs without isolation"
)


class SandboxError(ConfigurationError):
    """Jobs cannot be confined as asked (bubblewrap missing or refused, cgroups unusable)."""


@dataclass
class Confinement:
    """One job process's confinement: wrap its command with ``wrap``; ``cwd`` and ``env``
    to start it with; its cgroup and uid to kill and release when it ends."""

    wrap: Callable[[list[str]], list[str]]
    cwd: Path
    env: dict[str, str]
    cgroup: cg.JobCgroup | None
    uid: int | None


class Isolation:
    def __init__(
        self,
        mode: str,
        *,
        data_dir: Path,
        limits: JobLimits,
        cgroups: bool = True,
        uid_pool: UidPool | None = None,
    ) -> None:
        if mode not in MODES:
            raise SandboxError(f"unknown sandbox {mode!r}: choose one of {', '.join(MODES)}")
        self.mode = mode  # as asked (an executor confines on other machines the same way)
        self.limits = limits
        self.data_dir = data_dir
        #: why ``prefer`` runs jobs unisolated (bubblewrap missing or refused), if it does
        self.fallback_reason: str | None = None
        self.bwrap = bw.bwrap_path() if mode != "none" else None
        if mode in ("auto", "bwrap") and self.bwrap is None:
            raise SandboxError(
                f"jobs cannot be isolated: bubblewrap is not installed; {INSTALL_HINT}"
            )
        if mode == "prefer" and self.bwrap is None:
            self.fallback_reason = "bubblewrap is not installed"
        self.isolated = self.bwrap is not None
        self.is_root = os.geteuid() == 0
        found = cg.detect(_service_key(data_dir)) if cgroups else cg.Unavailable("disabled")
        self.cgroups = found if isinstance(found, cg.Cgroups) else None
        self.cgroups_reason = found.reason if isinstance(found, cg.Unavailable) else None
        self.uids = (uid_pool or UidPool()) if self.isolated and self.is_root else None
        self.layout = bw.job_layout() if self.isolated else bw.Layout([], [])
        filtered = self.isolated and seccomp.supported()
        self._seccomp = base64.b64encode(seccomp.no_network_filter()).decode() if filtered else None
        if self.cgroups is not None:
            self.cgroups.remove_leftovers()
        if self.isolated:
            try:
                self._probe()
            except SandboxError as exc:
                if mode != "prefer":
                    raise
                self._fall_back(str(exc))

    def _fall_back(self, reason: str) -> None:
        """``prefer`` when bubblewrap cannot run: jobs run unisolated, as ``none``."""
        self.fallback_reason = reason
        self.bwrap = None
        self.isolated = False
        self._seccomp = None
        if self.uids is not None:
            self.uids.close()
        self.uids = None
        self.layout = bw.Layout([], [])

    # --- one job process ----------------------------------------------------------------

    def confine(self, name: str, host_dir: Path, *, reads: Sequence[str] = ()) -> Confinement:
        """The confinement of a new job process ``name``; ``host_dir`` is its directory when
        it runs unsandboxed (and where the service keeps its files otherwise); ``reads``:
        more host paths it sees read-only (a program's environment), even under the data
        directory, which it otherwise never sees."""
        limits = self.limits
        cgroup = None
        if self.cgroups is not None:
            cgroup = self.cgroups.create(
                name, memory_bytes=limits.memory_mib * MIB, max_tasks=limits.max_tasks
            )
        uid = self.uids.acquire() if self.uids is not None else None
        home, tmp = (bw.JOB_DIR, bw.JOB_TMP) if self.isolated else (str(host_dir), str(host_dir))
        env = job_environment(home, tmp, limits.job_threads)
        plan = {
            "cgroup_procs": cgroup.procs_files if cgroup else [],
            "stage": {"dir": "/tmp", "sources": [*self.layout.reads, *reads]} if uid else None,
            "rlimits": {
                name: _soft_hard(name, value) for name, value in self._rlimits(cgroup).items()
            },
            "user": {"uid": uid, "gid": uid} if uid is not None else None,
            "seccomp": self._seccomp,
        }
        prefix = (
            self._bwrap_arguments(env, staged=uid is not None, reads=reads) if self.isolated else []
        )

        def wrap(command: list[str]) -> list[str]:
            full = {**plan, "command": [*prefix, *command]}
            return [sys.executable, "-I", "-S", ENTER, json.dumps(full)]

        return Confinement(wrap, host_dir, env, cgroup, uid)

    def release(self, confinement: Confinement) -> None:
        """Kill whatever is left of the job process and free its cgroup and uid."""
        if confinement.cgroup is not None:
            confinement.cgroup.kill()
            confinement.cgroup.remove()
        if confinement.uid is not None and self.uids is not None:
            self.uids.release(confinement.uid)

    # --- what is active ------------------------------------------------------------------

    def describe(self) -> dict[str, object]:
        mechanisms: list[str] = []
        if self.isolated:
            mechanisms.append(
                "bubblewrap: user, pid, network, IPC, UTS, cgroup and mount namespaces; "
                "no capabilities; private /job (tmpfs) and /tmp"
            )
            mechanisms.append(
                "seccomp: no IPv4, IPv6 or packet sockets, no io_uring"
                if self._seccomp
                else f"no seccomp filter on {platform.machine()}"
            )
            mechanisms.append(
                f"unprivileged {self.uids.describe()}" if self.uids else "the service's uid"
            )
        if self.cgroups is not None:
            mechanisms.append(f"{self.cgroups.describe()}: memory and tasks per job")
        else:
            mechanisms.append(f"no cgroups ({self.cgroups_reason}): caps are per process")
        mechanisms.append("rlimits: " + ", ".join(sorted(self._rlimits(None))))
        if self.fallback_reason:
            mechanisms.append(f"not isolated: {self.fallback_reason}")
        return {
            "sandbox": "bwrap" if self.isolated else "none",
            "isolated": self.isolated,
            "mechanisms": mechanisms,
            "limits": self.limits.describe(),
        }

    def close(self) -> None:
        """Release the uids and remove the service's cgroup directories (call once every
        confinement has been released)."""
        if self.uids is not None:
            self.uids.close()
        if self.cgroups is not None:
            self.cgroups.close()

    # --- helpers -------------------------------------------------------------------------

    def _rlimits(self, cgroup: cg.JobCgroup | None) -> dict[str, int]:
        limits = self.limits
        rlimits = {
            "RLIMIT_NOFILE": limits.open_files,
            "RLIMIT_FSIZE": limits.file_mib * MIB,
            "RLIMIT_CPU": limits.cpu_time_cap_s,
            "RLIMIT_CORE": 0,
        }
        if self.uids is not None and self.cgroups is None:
            # One uid per job: the per-uid count is the job's (a pids cgroup, when there is
            # one, is the cap instead: it says when it refused, RLIMIT_NPROC does not).
            rlimits["RLIMIT_NPROC"] = limits.max_tasks
        if self.cgroups is None:
            rlimits["RLIMIT_AS"] = limits.memory_mib * MIB
        return rlimits

    def _bwrap_arguments(
        self, env: dict[str, str], *, staged: bool, reads: Sequence[str] = ()
    ) -> list[str]:
        assert self.bwrap is not None
        return bw.bwrap_arguments(
            self.bwrap,
            self.layout,
            seccomp=self._seccomp is not None,
            limits=self.limits,
            environment=env,
            hidden=[str(self.data_dir.resolve()), os.path.expanduser("~")],
            staged=staged,
            extra_reads=list(reads),
        )

    def _probe(self) -> None:
        """Run ``true`` confined exactly as a job: bubblewrap may be installed and still
        refused (no unprivileged user namespaces, a seccomp or AppArmor policy)."""
        probe_dir = self.data_dir / "work"
        probe_dir.mkdir(parents=True, exist_ok=True)
        confinement = self.confine("probe", probe_dir)
        try:
            done = subprocess.run(
                confinement.wrap([sys.executable, "-I", "-c", "pass"]),
                env=confinement.env,
                cwd=confinement.cwd,
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
        finally:
            self.release(confinement)
        if done.returncode != 0:
            lines = done.stderr.strip().splitlines()
            reason = lines[-1] if lines else f"exit status {done.returncode}"
            raise SandboxError(
                f"jobs cannot be isolated: bubblewrap cannot run here ({reason}); {INSTALL_HINT}"
            )


def _service_key(data_dir: Path) -> str:
    import hashlib

    return hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:12]


#: Seconds between RLIMIT_CPU's soft limit (SIGXCPU: the process ends saying why) and its
#: hard one (SIGKILL, for a process that ignores SIGXCPU).
CPU_GRACE_S = 5


def _soft_hard(name: str, value: int) -> tuple[int, int]:
    return (value, value + CPU_GRACE_S) if name == "RLIMIT_CPU" else (value, value)
