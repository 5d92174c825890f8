"""This process's warm harness: ``run_program``'s program processes forked from a template
that has imported qiskit and Aer once, instead of each started afresh.

A process's first run starts its program's process afresh (``runtime-kit run`` runs once: a
template would only cost it more).  The second starts a plain template
(``WarmTemplate.plain``) beside it, and each run from then on is forked from that template
once it is ready (a project's tests, a script looping over seeds): ~0.1 s of CPU a run
instead of ~0.8 s.  A forked run is the process a fresh one would be (the caller's
environment and directory, its memory limit, its thread count, a session of its own); runs
on a program environment's own interpreter, or while ``PYTHONPATH`` differs from the
template's, start afresh.  A template that cannot start is not tried again in this process;
one that has ended is replaced.  ``RUNTIME_KIT_WARM_HARNESS=0`` turns it off.
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
        self.lock = threading.Lock()
        self.runs = 0
        self.template: WarmTemplate | None = None
        self.ready = False
        self.pythonpath: str | None = None
        #: why the template could not start (then runs start afresh for good)
        self.failure: str | None = None
        self.closed_at_exit = False


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
        except (TemplateError, OSError):
            _forget(template)  # ended meanwhile: this run starts afresh, the next a new one
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
        template, _HARNESS.template, _HARNESS.ready = _HARNESS.template, None, False
        _HARNESS.runs = 0
    if template is not None:
        template.close()


def _ready_template() -> WarmTemplate | None:
    if os.environ.get(SWITCH, "1") == "0":
        return None
    start = False
    with _HARNESS.lock:
        _HARNESS.runs += 1
        template = _HARNESS.template
        if template is not None and _HARNESS.ready:
            if template.alive():
                same_path = _HARNESS.pythonpath == os.environ.get("PYTHONPATH")
                return template if same_path else None
            _HARNESS.template, _HARNESS.ready = None, False
            template.close()  # ended: reaped, its socket closed; a new one warms below
        if _HARNESS.template is None and _HARNESS.runs >= 2 and _HARNESS.failure is None:
            start = True
            if not _HARNESS.closed_at_exit:
                atexit.register(close)
                _HARNESS.closed_at_exit = True
            _HARNESS.template = _starting()
            _HARNESS.pythonpath = os.environ.get("PYTHONPATH")
    if start:
        threading.Thread(target=_warm, args=(_HARNESS.template,), daemon=True).start()
    return None


def _starting() -> WarmTemplate | None:
    from runtime_kit.sandbox.warm_template import TemplateError, WarmTemplate

    try:
        return WarmTemplate.plain(os.environ)
    except TemplateError as exc:
        _HARNESS.failure = str(exc)
        return None


def _warm(template: WarmTemplate | None) -> None:
    if template is None:
        return
    from runtime_kit.sandbox.warm_template import TemplateError

    try:
        template.wait_ready()
    except TemplateError as exc:
        with _HARNESS.lock:
            _HARNESS.failure = str(exc)
            if _HARNESS.template is template:
                _HARNESS.template = None
        return
    with _HARNESS.lock:
        if _HARNESS.template is template:
            _HARNESS.ready = True
            return
    template.close()  # closed meanwhile


def _forget(template: WarmTemplate) -> None:
    with _HARNESS.lock:
        if _HARNESS.template is template:
            _HARNESS.template, _HARNESS.ready = None, False
    template.kill()
    template.close()


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
    """``OMP_NUM_THREADS`` (its first level), else the CPUs this process may run on."""
    try:
        return max(1, int(os.environ.get("OMP_NUM_THREADS", "").split(",")[0]))
    except ValueError:
        return len(os.sched_getaffinity(0))
