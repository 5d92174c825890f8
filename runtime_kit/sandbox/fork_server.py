"""A warm template: ``python -m runtime_kit.sandbox.fork_server CONTROL_FD``, or on a program
environment's interpreter ``python -I -c BOOT SANDBOX_DIR CONTROL_FD``.

Started by the service as a fresh process (never a fork of the service: it holds no token,
no store, no other job's data), with a job's allow-listed environment, ``/`` as its
directory, and no open file but its end of a Unix socket pair (``CONTROL_FD``).  It reads its
configuration from the socket, imports qiskit, Aer and runtime-kit's job side with one
thread each and ``QISKIT_IN_PARALLEL=TRUE`` (so that nothing but its main thread runs when it
forks), prepares the simulators and the backends of its configuration (``backends``: the
service's ``--prepare-backends``), then stages what jobs read (``job_root.stage``, which
covers ``/tmp``: after every import), says it is ready, and serves spawn requests until the
socket closes.  A template of a program environment of its own (``jobside``: the directory
of ``runtime_kit.jobside``) runs on that environment's Python and prepares, then runs, its
jobs with the standard-library runner instead; so this module, ``job_root``, ``linux`` and
``thread_pools`` need only Python 3.8's standard library.

A spawn request is a JSON object (the job's plan: ``user``, ``cgroup_procs``, ``rlimits``,
``env``, ``threads``, ``prepare``: backends to prepare while the job is awaited, and
``reads``: paths this job alone reads, an overlay's directory) with four file descriptors:
the job's stdin (read end), its logs and frames pipes (write ends) and a status pipe (write
end); then one ``O_PATH`` descriptor for each of ``reads``, opened by the service (the
template's own ``/tmp`` is covered), which the template stages read-only once per file
system object (a rebuilt directory at the same path is another).  The answer is
``{"pid": N}`` with a pidfd of the job's first process (or ``{"error": ...}``).  When the
job's process ends, its pid 1 writes its exit status on the status pipe as a decimal number
(128 + N: killed by signal N); nothing there (the pipe closed empty): the job was killed.

Per job (``_job``): the first process joins the job's cgroups, takes the job's uid (no
groups), unshares every namespace while single-threaded, has the template map its uid into
the new user namespace (``U U 1``: never host root), and forks the job's pid 1, which builds the
job's file system (``job_root.build``) and forks the job's process, reaping everything
else.  The job's process drops every capability (the bounding set too), sets no_new_privs
and the seccomp filter and the rlimits, then sets its numeric libraries' thread count and
runs the job as ``runtime_kit.harness.child`` (or the environment's runner) does.  Each
process dies with its parent.

A plain template (``plain``: ``runtime-kit run`` and ``run_program``, from a process's second
run on) confines nothing: it is started with the caller's environment, and each job is one
process forked from it that does what a fresh ``runtime_kit.harness.child`` would (its
session, the caller's environment and directory, its rlimits, its thread count); the
template writes its exit status when it reaps it.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import gc
import importlib
import importlib.util
import json
import os
import resource
import select
import signal
import socket
import sys
import time
from typing import TYPE_CHECKING, Any

from . import job_root, linux, thread_pools

#: File descriptors of a job's process: its stdin (the job), logs (1 and 2), frames; and
#: of its first process until its ids are mapped: the pipes to and from the template.
STDIN, LOGS, FRAMES, UNSHARED, MAPPED, STATUS = 0, 1, 3, 4, 5, 6
UNSHARE_TIMEOUT_S = 10.0
#: Exit status of a job whose confinement failed (as ``enter.py``).
FAILED = 125
MAX_MESSAGE = 1 << 20
#: The job's own descriptors of a spawn request (stdin, logs, frames, status), before its reads.
SPAWN_FDS = 4
#: Paths a job alone may read, and that a template stages in all (more: the spawn is refused).
MAX_JOB_READS, MAX_STAGED = 4, 256
#: While warming: no Rayon pool (qiskit runs serially), one OpenMP and OpenBLAS thread (the
#: main one): nothing but the main thread runs when the template forks.
WARM_VARIABLES = {
    "QISKIT_IN_PARALLEL": "TRUE",
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "RAYON_NUM_THREADS": "1",
}
#: How a program environment's interpreter (which cannot import runtime-kit) runs a template:
#: ``python -I -c BOOT SANDBOX_DIR CONTROL_FD`` loads this package from its directory under
#: the name ``runtime_kit_sandbox`` and serves.
BOOT = (
    "import importlib.util as u, sys; p = sys.argv[1]; "
    "s = u.spec_from_file_location('runtime_kit_sandbox', p + '/__init__.py', "
    "submodule_search_locations=[p]); m = u.module_from_spec(s); "
    "sys.modules[s.name] = m; s.loader.exec_module(m); "
    "from runtime_kit_sandbox import fork_server; fork_server.main(sys.argv[2:])"
)
if TYPE_CHECKING:
    from collections.abc import Callable

    #: What a forked job's process runs, given its plan (it never returns).
    JobRunner = Callable[[dict[str, Any]], None]


def main(argv: list[str]) -> None:
    control = socket.socket(fileno=int(argv[0]))
    config = json.loads(control.recv(MAX_MESSAGE))
    started = time.monotonic()
    covered = None
    try:
        run_job = warm_up(config)
        sys.stdout.flush()
        sys.stderr.flush()
        # Out of the collector's sight: a collection in a job would touch every object of
        # the template (qiskit's, Aer's), and so copy nearly all of its memory (~110 ms CPU).
        gc.collect()
        gc.freeze()
        _await_single_thread()
        # After the imports: the stage covers /tmp, where the installation may lie (a
        # checkout in /tmp), in the template's own mount namespace (single-threaded by now).
        if config.get("stage"):
            covered = job_root.stage(config["layout"]["reads"])
    except Exception as exc:  # noqa: BLE001  (said to the service, which says it in /health)
        control.sendall(json.dumps({"error": f"{type(exc).__name__}: {exc}"}).encode())
        return
    ready = {
        "ready": True,
        "pid": os.getpid(),
        "warm_s": round(time.monotonic() - started, 3),
        "threads": _thread_count(),
    }
    control.sendall(json.dumps(ready).encode())
    Server(control, config, covered, run_job).serve()


def warm_up(config: dict[str, Any]) -> JobRunner:
    """Import and exercise what every job uses; returns what runs a forked job.

    runtime-kit's own environment: qiskit's preset pass manager, Aer's sampler, the wire
    format, and the backends of ``backends`` (the service's ``--prepare-backends``).  A
    program environment of its own (``jobside``): its runner's ``prepare()`` (the legacy
    import paths, the environment's qiskit and simulators, its codec)."""
    if config.get("jobside"):
        return _warm_jobside(config["jobside"])
    from runtime_kit.harness.child import warm_up as import_job_side

    import_job_side()
    from runtime_kit.harness.warm import import_job_modules, prepare_backends

    import_job_modules()
    prepare_backends(config.get("backends") or [])
    return _run_harness_job


def _run_harness_job(plan: dict[str, Any]) -> None:
    from runtime_kit.harness.child import serve_one_job, warm_up

    if plan.get("prepare"):  # backends the template has not prepared (a failure: the job's)
        warm_up(plan["prepare"])
    serve_one_job(FRAMES, plan.get("memory_mib", 0))  # a plain job reports its own limit


def _warm_jobside(directory: str) -> JobRunner:
    spec = importlib.util.spec_from_file_location(
        "runtime_kit_jobside", directory + "/__init__.py", submodule_search_locations=[directory]
    )
    assert spec is not None and spec.loader is not None
    package = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = package
    spec.loader.exec_module(package)
    runner = importlib.import_module("runtime_kit_jobside.runner")
    prepared = runner.prepare()
    return lambda plan: runner.serve_one_job(prepared, FRAMES)


class Server:
    def __init__(
        self,
        control: socket.socket,
        config: dict[str, Any],
        covered: int | None,
        run_job: JobRunner,
    ) -> None:
        self.control = control
        self.config = config
        self.covered = covered
        self.run_job = run_job
        #: a plain template's jobs: pid -> the status pipe it writes when it reaps the job
        self.status_pipes: dict[int, int] = {}
        #: (device, inode) -> the number of the stage of each path a job alone reads
        self.staged: dict[tuple[int, int], int] = {}
        self.next_stage = len(config["layout"]["reads"]) if "layout" in config else 0
        self.wakeup_read, wakeup_write = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        os.set_blocking(wakeup_write, False)
        signal.set_wakeup_fd(wakeup_write)
        signal.signal(signal.SIGCHLD, lambda *_: None)

    def serve(self) -> None:
        while True:
            ready, _, _ = select.select([self.control.fileno(), self.wakeup_read], [], [])
            if self.wakeup_read in ready:
                while _drain(self.wakeup_read):
                    pass
                self._reap()
            if self.control.fileno() in ready and not self._request():
                return  # the service closed its end (or died): jobs die with this process

    def _request(self) -> bool:
        try:
            message, fds = linux.recv_fds(self.control, MAX_MESSAGE, SPAWN_FDS + MAX_JOB_READS)
        except ConnectionResetError:
            return False
        if not message:
            return False
        plan = json.loads(message)
        reads = plan.get("reads") or []
        read_fds = fds[SPAWN_FDS:]
        try:
            if len(fds) != SPAWN_FDS + len(reads):
                raise OSError(f"a spawn needs {SPAWN_FDS} descriptors and one for each read")
            plan["job_reads"] = [[self._stage(path, fd), path] for fd, path in zip(read_fds, reads)]
        except OSError as exc:
            for fd in fds:
                os.close(fd)
            self.control.sendall(json.dumps({"error": str(exc)}).encode())
            return True
        for fd in read_fds:
            os.close(fd)
        fds = fds[:SPAWN_FDS]
        if self.config.get("plain"):
            self._spawn_plain(plan, fds)
            return True
        template = os.getpid()
        unshared_read, unshared_write = os.pipe()
        mapped_read, mapped_write = os.pipe()
        pid = os.fork()
        if pid == 0:
            _job(plan, [*fds, unshared_write, mapped_read], self.config, template, self.run_job)
        for fd in (*fds, unshared_write, mapped_read):
            os.close(fd)
        _map_ids(pid, plan["user"], unshared_read, mapped_write)
        pidfd = linux.pidfd_open(pid)
        try:
            linux.send_fds(self.control, json.dumps({"pid": pid}).encode(), [pidfd])
        finally:
            os.close(pidfd)
        return True

    def _spawn_plain(self, plan: dict[str, Any], fds: list[int]) -> None:
        pid = os.fork()
        if pid == 0:
            _plain_job(plan, fds, self.run_job)
        for fd in fds[:3]:
            os.close(fd)
        self.status_pipes[pid] = fds[3]
        pidfd = linux.pidfd_open(pid)
        try:
            linux.send_fds(self.control, json.dumps({"pid": pid}).encode(), [pidfd])
        finally:
            os.close(pidfd)

    def _stage(self, path: str, sent: int) -> int:
        """The stage number of ``path`` (staged on first use), which must be the file system
        object the service sent (``sent``: its descriptor, which cannot be bound itself: it
        belongs to the service's mount namespace)."""
        found = os.fstat(sent)
        identity = (found.st_dev, found.st_ino)
        if identity not in self.staged:
            if len(self.staged) >= MAX_STAGED:
                raise OSError(f"the template has staged {MAX_STAGED} paths already")
            handle = job_root.open_source(path, self.covered)
            try:
                here = os.fstat(handle)
                if (here.st_dev, here.st_ino) != identity:
                    raise OSError(f"{path} is not what the service sent (replaced meanwhile)")
                number, self.next_stage = self.next_stage, self.next_stage + 1
                job_root.stage_one(handle, number)
            finally:
                os.close(handle)
            self.staged[identity] = number
        return self.staged[identity]

    def _reap(self) -> None:
        """Reap the jobs' first processes (their pid 1 has sent the job's status); a plain
        job's status is sent from here."""
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            pipe = self.status_pipes.pop(pid, None)
            if pipe is not None:
                try:  # as subprocess says it: a signal's death is minus its number
                    os.write(pipe, str(linux.exit_code(status)).encode())
                except OSError:
                    pass  # the caller has stopped waiting for it
                finally:
                    os.close(pipe)


def _map_ids(pid: int, user: dict[str, int], unshared: int, mapped: int) -> None:
    """Once the job's first process has unshared its namespaces, map its uid and gid to
    themselves in its user namespace (``U U 1``: never host root), from here (a privileged
    parent), then let it go on.  A process that ends before unsharing is left to end."""
    try:
        ready, _, _ = select.select([unshared], [], [], UNSHARE_TIMEOUT_S)
        if not ready or os.read(unshared, 1) != b"u":
            return
        with open(f"/proc/{pid}/setgroups", "w") as handle:
            handle.write("deny")
        for name, number in (("uid_map", user["uid"]), ("gid_map", user["gid"])):
            with open(f"/proc/{pid}/{name}", "w") as handle:
                handle.write(f"{number} {number} 1")
        os.write(mapped, b"m")
    except OSError:
        pass  # it died meanwhile: its status says so
    finally:
        os.close(unshared)
        os.close(mapped)


def _job(
    plan: dict[str, Any], fds: list[int], config: dict[str, Any], parent: int, run_job: JobRunner
) -> None:
    """The job's first process (never returns): confine, then fork the job's pid 1."""
    try:
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        _own_descriptors(fds)
        linux.die_with_parent(parent)
        for procs in plan["cgroup_procs"]:
            with open(procs, "w") as handle:
                handle.write("0")
        user = plan["user"]
        if user is not None:
            os.setgroups([])
            os.setresgid(user["gid"], user["gid"], user["gid"])
            os.setresuid(user["uid"], user["uid"], user["uid"])
            linux.prctl(linux.PR_SET_DUMPABLE, 1)  # its own /proc files stay its own
        linux.unshare(linux.JOB_NAMESPACES)
        os.write(UNSHARED, b"u")
        if os.read(MAPPED, 1) != b"m":
            raise OSError("the template did not map the job's uid")
        os.close(UNSHARED)
        os.close(MAPPED)
        linux.die_with_parent(parent)  # again: a change of credentials cleared it
        init = os.fork()
        if init == 0:
            _init(plan, config, 0, run_job)  # its parent is outside its pid namespace: 0
        for fd in (STDIN, LOGS, 2, FRAMES, STATUS):
            os.close(fd)
        _, status = os.waitpid(init, 0)
        os._exit(_exit_code(status))
    except BaseException as exc:  # noqa: BLE001  (said on the job's logs; nothing ran)
        _refuse(exc)


def _own_descriptors(fds: list[int]) -> None:
    """Keep only the job's pipes (a plain job has no ``UNSHARED`` and ``MAPPED``) and the
    status pipe to the template, at their fixed numbers: the template's socket, the status
    pipes of the other jobs and everything else are closed."""
    kept = [fcntl.fcntl(fd, fcntl.F_DUPFD, STATUS + 1) for fd in fds]
    placed = (STDIN, LOGS, FRAMES, STATUS, UNSHARED, MAPPED)[: len(kept)]
    for fd, number in zip(kept, placed):
        os.dup2(fd, number)
    os.dup2(kept[1], 2)
    os.set_inheritable(STATUS, False)  # never the job's: its pid 1 alone writes it
    for number in set(range(STATUS)) - set(placed) - {2}:
        with contextlib.suppress(OSError):  # not open
            os.close(number)
    os.closerange(STATUS + 1, _max_fd())


def _max_fd() -> int:
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def _init(plan: dict[str, Any], config: dict[str, Any], parent: int, run_job: JobRunner) -> None:
    """The job's pid 1 (never returns): its file system, then the job's process; reaps
    every orphan, ends with the job's status (and so ends whatever the job left)."""
    try:
        linux.die_with_parent(parent)
        job_root.build({**config["layout"], "job_reads": plan["job_reads"]})
        job = os.fork()
        if job == 0:
            _run(plan, config, 1, run_job)
        for fd in (STDIN, LOGS, 2, FRAMES):
            os.close(fd)
        while True:
            pid, status = os.wait()
            if pid == job:
                # Said at once: the service need not wait for this process and the first
                # one to end (each a copy of the template to tear down).
                code = _exit_code(status)
                os.write(STATUS, str(code).encode())
                os._exit(code)
    except BaseException as exc:  # noqa: BLE001
        _refuse(exc)


def _run(plan: dict[str, Any], config: dict[str, Any], parent: int, run_job: JobRunner) -> None:
    """The job's process (never returns)."""
    try:
        linux.die_with_parent(parent)
        os.close(STATUS)
        os.setsid()
        _take_plan(plan, job_root.JOB_DIR)
        linux.drop_capabilities()
        if config.get("seccomp"):
            linux.load_seccomp(base64.b64decode(config["seccomp"]))
        else:
            linux.prctl(linux.PR_SET_NO_NEW_PRIVS, 1)
        # After the privileges are gone: a thread started before would keep them.
        thread_pools.set_threads(plan["threads"])
    except BaseException as exc:  # noqa: BLE001
        _refuse(exc)
    run_job(plan)


def _plain_job(plan: dict[str, Any], fds: list[int], run_job: JobRunner) -> None:
    """A plain template's job (never returns): the process a fresh harness child would be,
    in a session of its own (so that the caller ends everything it started)."""
    try:
        parent = os.getppid()
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        os.setsid()  # first: the caller may end its session at any moment from now on
        _own_descriptors(fds)
        os.close(STATUS)
        linux.die_with_parent(parent)
        _take_plan(plan, plan["cwd"])
        thread_pools.set_threads(plan["threads"])
    except BaseException as exc:  # noqa: BLE001
        _refuse(exc, "start the program's process")  # it confines nothing
    run_job(plan)


def _take_plan(plan: dict[str, Any], directory: str) -> None:
    """The job's environment, working directory (first on ``sys.path``, as ``python -m``
    started there puts it) and rlimits."""
    os.environ.clear()
    os.environ.update(plan["env"])
    os.chdir(directory)
    if sys.path and sys.path[0] in ("", "/"):
        sys.path[0] = directory
    for name, (soft, hard) in plan["rlimits"].items():
        resource.setrlimit(getattr(resource, name), (soft, hard))


def _refuse(exc: BaseException, could_not: str = "confine the job process") -> None:
    try:
        os.write(2, f"runtime-kit: cannot {could_not}: {exc}\n".encode())
    finally:
        os._exit(FAILED)


def _exit_code(status: int) -> int:
    """An exit status to pass on: a process killed by signal N ends its parent with 128 + N
    (as bubblewrap reports it)."""
    code = linux.exit_code(status)
    return 128 - code if code < 0 else code


def _thread_count() -> int:
    return len(os.listdir("/proc/self/task"))


def _await_single_thread(timeout_s: float = 2.0) -> None:
    """A thread joined from Python (Aer's job thread) may take a moment more to leave the
    kernel's task list; the template says how many it forks with, so wait for them to go.
    There is no event for it: the list is read every few milliseconds."""
    deadline = time.monotonic() + timeout_s
    while _thread_count() > 1 and time.monotonic() < deadline:
        time.sleep(0.005)


def _drain(fd: int) -> bool:
    try:
        return bool(os.read(fd, 4096))
    except BlockingIOError:
        return False


if __name__ == "__main__":
    main(sys.argv[1:])
