"""This process's warm harness: ``run_program``'s program processes forked from a template
that has imported qiskit and Aer once, instead of each started afresh.

A process's first run starts its program's process afresh (``runtime-kit run`` runs once: a
template would only cost it more).  The second starts a plain template
(``WarmTemplate.plain``) beside it, and each run from then on is forked from that template
once it is ready (a project's tests, a script looping over seeds): ~0.1 s of CPU a run
instead of ~0.8 s.  A forked run is the process a fresh one would be (the caller's
environment and directory, its memory limit, its thread count, a session of its own).  What
an interpreter or a numeric library reads only when it starts (``PYTHON*``, ``OMP_*``,
``OPENBLAS_*`` variables) is the template's: a run while those differ from the template's
starts afresh, as do runs on a program environment's own interpreter.  A template that
cannot start, or cannot fork, is not tried again in this process; one that has ended is
replaced; a process forked from this one starts its own.  ``RUNTIME_KIT_WARM_HARNESS=0``
turns it off.
"""

from __future__ import annotations

import atexit
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from runtime_kit.harness.process import MAX_LOG_BYTES, ProgramProcess

if TYPE_CHECKING:
    from runtime_kit.sandbox.warm_template import WarmTemplate

SWITCH = "RUNTIME_KIT_WARM_HARNESS"


class _Harness:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """As new (a new lock too: a forked child may inherit this one held)."""
        self.lock = threading.Lock()
        self.runs = 0
        self.template: WarmTemplate | None = None
        self.ready = False
        #: the startup variables the template was started with
        self.started_with: dict[str, str] = {}
        #: why the template could not start or fork (then runs start afresh for good)
        self.failure: str | None = None


_HARNESS = _Harness()


def program_process(cwd: Path, memory_mib: int, python: Path | None = None) -> ProgramProcess:
    """The process of one run: on runtime-kit's own interpreter, forked from this process's
    template if it is ready, else (and on a program environment's ``python``) started
    afresh (see the module's docstring)."""
    if python is not None:
        return ProgramProcess(cwd, memory_mib, python=python)
    template = _ready_template()
    if template is not None:
        from runtime_kit.sandbox.warm_template import TemplateError

        try:
            return ProgramProcess.forked(template, _plan(cwd, memory_mib), MAX_LOG_BYTES)
        except (TemplateError, OSError, ValueError) as exc:
            _spawn_failed(template, exc)  # this run starts afresh
    return ProgramProcess(cwd, memory_mib)


def state() -> dict[str, object]:
    """What the warm harness is doing: runs so far, whether a template is ready, its pid,
    and why none could start."""
    with _HARNESS.lock:
        template = _HARNESS.template
        return {
            "runs": _HARNESS.runs,
            "ready": _HARNESS.ready,
            "pid": template.pid if template is not None else None,
            "failure": _HARNESS.failure,
        }


def close() -> None:
    """End the template (its running jobs with it); the next runs start afresh, then warm
    a new one."""
    with _HARNESS.lock:
        template, ready = _HARNESS.template, _HARNESS.ready
        _HARNESS.template, _HARNESS.ready, _HARNESS.runs = None, False, 0
    if template is not None:
        if not ready:
            template.kill()  # still warming up: it reads nothing until it is done
        template.close()


def _ready_template() -> WarmTemplate | None:
    if os.environ.get(SWITCH, "1") == "0":
        return None
    with _HARNESS.lock:
        _HARNESS.runs += 1
        template = _HARNESS.template
        if template is not None and _HARNESS.ready:
            if template.alive():
                return template if _HARNESS.started_with == _startup_variables() else None
            _HARNESS.template, _HARNESS.ready = None, False
            template.close()  # ended: reaped, its socket closed; a new one warms below
        if _HARNESS.template is not None or _HARNESS.runs < 2 or _HARNESS.failure is not None:
            return None
        template = _starting()
        if template is None:
            return None
        _HARNESS.template, _HARNESS.started_with = template, _startup_variables()
    threading.Thread(target=_warm, args=(template,), daemon=True).start()
    return None


def _starting() -> WarmTemplate | None:
    from runtime_kit.sandbox.warm_template import TemplateError, WarmTemplate

    try:
        return WarmTemplate.plain(os.environ)
    except TemplateError as exc:
        _HARNESS.failure = str(exc)
        return None


def _warm(template: WarmTemplate) -> None:
    from runtime_kit.sandbox.warm_template import TemplateError

    try:
        template.wait_ready()
    except (TemplateError, OSError, ValueError) as exc:  # closed meanwhile: ValueError
        with _HARNESS.lock:
            if _HARNESS.template is template:
                _HARNESS.template, _HARNESS.failure = None, str(exc)
        return
    with _HARNESS.lock:
        if _HARNESS.template is template:
            _HARNESS.ready = True
            return
    template.close()  # closed meanwhile


def _spawn_failed(template: WarmTemplate, exc: BaseException) -> None:
    """A template that has ended is replaced at the next run; one alive that cannot fork is
    not used again (its running jobs go on: it ends at ``close``)."""
    with _HARNESS.lock:
        if _HARNESS.template is not template:
            return
        if template.alive():
            _HARNESS.failure = f"the warm template cannot fork a run: {exc}"
            return
        _HARNESS.template, _HARNESS.ready = None, False
    template.close()


def _after_fork_in_child() -> None:
    """A process forked from this one (multiprocessing) shares nothing of its template: it
    would read the replies meant for its parent."""
    if _HARNESS.template is not None:
        _HARNESS.template.forget_inherited()
    _HARNESS.reset()


os.register_at_fork(after_in_child=_after_fork_in_child)
atexit.register(close)  # nothing to do unless a template was started


def _startup_variables() -> dict[str, str]:
    """The variables an interpreter or a numeric library reads only when it starts."""
    return {
        name: value
        for name, value in os.environ.items()
        if name.startswith(("PYTHON", "OMP_", "OPENBLAS_", "MKL_", "GOMP_"))
    }


def _plan(cwd: Path, memory_mib: int) -> dict[str, object]:
    """What a fresh program process would have: this process's environment (unbuffered),
    the directory, the memory limit, and the thread count the numeric libraries would read
    from the environment."""
    limit = memory_mib * 1024 * 1024
    return {
        "env": {**os.environ, "PYTHONUNBUFFERED": "1"},
        "cwd": str(cwd),
        "rlimits": {"RLIMIT_AS": [limit, limit]} if memory_mib > 0 else {},
        "memory_mib": memory_mib,
        "threads": _threads(),
    }


def _threads() -> int:
    """``OMP_NUM_THREADS`` (its first level), else the CPUs this process may run on (as the
    libraries do with a value that is not a positive count)."""
    try:
        count = int(os.environ.get("OMP_NUM_THREADS", "").split(",")[0])
    except ValueError:
        count = 0
    return count if count > 0 else len(os.sched_getaffinity(0))
