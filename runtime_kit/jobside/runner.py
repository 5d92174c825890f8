"""The job's process in a program's environment: ``python -I -c BOOT DIR FRAMES_FD MEMORY_MIB``.

Like ``runtime_kit/harness/child.py``: started before its job is known, it limits its memory,
``prepare()``s (the legacy import paths, qiskit and the simulators, the wire codec), then
reads one job (a JSON line on stdin; empty: called off) and ``run_job()``s it, reporting on
the frames pipe.  Its stdout and stderr are the program's logs.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import sys
import traceback
from pathlib import Path
from typing import Any, NamedTuple

from . import frames, legacy
from .backends import BackendUnavailable, backend_name, build_backend, qubit_count
from .bundle import program_of
from .codec import codec
from .entrypoints import ENTRIES, Encoded, ScriptExit
from .job_logging import configure_job_logging
from .limits import limit_reached, preparation_needs
from .messenger import FrameMessenger


class Prepared(NamedTuple):
    """What ``prepare`` made ready: the simulators by kind, or why it could not."""

    factories: dict[str, Any]
    error: BaseException | None


def main(argv: list[str]) -> int:
    frames_fd, memory_mib = int(argv[0]), int(argv[1])
    _limit_memory(memory_mib)
    _die_with_parent()
    serve_one_job(prepare(), frames_fd, memory_mib)
    return 0  # not reached


def serve_one_job(prepared: Prepared, frames_fd: int, memory_mib: int = 0) -> None:
    """Read one job from stdin and run it (an empty stdin: the job was called off); then end
    the process: threads the program left behind must not keep the job alive."""
    line = sys.stdin.readline()
    try:
        if line.strip():
            job = json.loads(line)
            job.setdefault("limits", {"memory_mib": memory_mib, "memory_scope": "process"})
            run_job(job, prepared, frames_fd)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(0)


def prepare() -> Prepared:
    """Serve the legacy paths, import qiskit and the simulators, choose the codec: all that
    does not depend on the job (a failure is reported when a job comes)."""
    legacy.install()
    try:
        from .backends import simulator_factories

        factories = simulator_factories()
        codec()
    except BaseException as exc:  # noqa: BLE001  (reported with the job)
        return Prepared({}, exc)
    return Prepared(factories, None)


def run_job(job: dict[str, Any], prepared: Prepared, frames_fd: int) -> None:
    """Run one job (fields as ``harness/child.py`` reads them; ``entrypoint``: its kind)."""
    limits = job["limits"]
    try:
        program, paths = program_of(job, Path.cwd())
    except Exception as exc:  # noqa: BLE001  (a bundle that cannot be unpacked fails the job)
        _failed(frames_fd, exc, Path.cwd(), limits, what="the program's bundle cannot be used")
        return
    directory = working_directory(job, program)
    os.chdir(str(directory))
    sys.path.insert(0, str(directory))
    if program.parent != directory:  # a script's own folder, as ``python folder/script.py``
        sys.path.insert(0, str(program.parent))
    for path in reversed(paths):
        sys.path.insert(0, path)
    seed = job["seed"]
    try:
        if prepared.error is not None:
            raise prepared.error
        configure_job_logging(job.get("log_level"))
        _seed_everything(seed)
        backend = build_backend(job["backend"], prepared.factories, seed)
    except BackendUnavailable as exc:
        frames.control(frames_fd, frames.REJECTED, {"error": str(exc)})
        return
    except BaseException as exc:  # noqa: BLE001  (reported: main() never started)
        _failed_before_main(frames_fd, exc, directory, limits)
        return
    if job.get("shots") and backend is not None:
        backend.set_options(shots=job["shots"])
    required = job.get("min_num_qubits")
    if required and qubit_count(backend) < required:
        message = (
            f"backend {backend_name(backend)} has {qubit_count(backend)} qubits; the program "
            f"needs {required} (spec.backend_requirements.min_num_qubits)"
        )
        frames.control(frames_fd, frames.REJECTED, {"error": message})
        return
    started = {"backend": backend_name(backend), "num_qubits": qubit_count(backend)}
    frames.control(frames_fd, frames.STARTED, started)
    run_entry(job, program, backend, frames_fd)


def run_entry(job: dict[str, Any], program: Path, backend: Any, frames_fd: int) -> None:
    """Enter the job's code (its ``entrypoint`` kind) and report how it ended."""
    directory = Path.cwd()
    messenger = FrameMessenger(frames_fd)
    entry = ENTRIES[job.get("entrypoint", "main")](program)
    try:
        entry.load()
        inputs = _decode_inputs(job["inputs"])
        returned = entry.run(backend, messenger, inputs)
    except ScriptExit as exc:
        frames.control(frames_fd, frames.FAILED, {"error": str(exc), "traceback": ""})
        return
    except SystemExit as exc:
        if not messenger.final_sent:
            error = f"the program called sys.exit({exc.code!r}) before main() returned"
            trace = _program_traceback(exc, directory)
            frames.control(frames_fd, frames.FAILED, {"error": error, "traceback": trace})
        return
    except BaseException as exc:  # noqa: BLE001  (whatever the program raises is reported)
        _failed(frames_fd, exc, directory, job["limits"])
        return
    if isinstance(returned, Encoded):
        frames.write_frame(frames_fd, frames.RESULT, returned.text)
        return
    if returned is None and messenger.final_sent:
        return
    _send_result(frames_fd, returned)


def working_directory(job: dict[str, Any], program: Path) -> Path:
    """Where the job runs: a program's folder, or a function's working directory (the
    root of its bundle, or the one ``runtime-kit run`` names), which its script is in."""
    if job.get("script") is None:
        return program.parent
    if "bundle" in job:
        return program.parents[len(Path(job["script"]).parts) - 1]
    return Path(job["directory"])


class InputsUndecodable(Exception):
    """The inputs cannot be decoded by the environment's codec."""


def _decode_inputs(text: str) -> dict[str, Any]:
    try:
        inputs: dict[str, Any] = json.loads(text, cls=codec().decoder)
    except Exception as exc:
        raise InputsUndecodable(
            f"the inputs cannot be decoded in the program's environment "
            f"({codec().origin}): {type(exc).__name__}: {exc}"
        ) from exc
    return inputs


def _send_result(frames_fd: int, returned: Any) -> None:
    try:
        text = json.dumps(returned, cls=codec().encoder)
    except (TypeError, ValueError) as exc:
        error = f"the value main() returned cannot be encoded: {exc}"
        frames.control(frames_fd, frames.FAILED, {"error": error, "traceback": ""})
        return
    frames.write_frame(frames_fd, frames.RESULT, text)


def _failed(
    frames_fd: int,
    exc: BaseException,
    directory: Path,
    limits: dict[str, Any],
    what: str | None = None,
) -> None:
    cause = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    reached = limit_reached(exc, limits)
    error = f"{reached}: {cause}" if reached else f"{what}: {cause}" if what else cause
    trace = _program_traceback(exc, directory)
    frames.control(frames_fd, frames.FAILED, {"error": error, "traceback": trace})


def _failed_before_main(
    frames_fd: int, exc: BaseException, directory: Path, limits: dict[str, Any]
) -> None:
    reached = limit_reached(exc, limits)
    if reached is None:
        _failed(frames_fd, exc, directory, limits, what="the job could not be prepared")
        return
    error = f"{reached} before main() started: {preparation_needs(limits)}"
    frames.control(frames_fd, frames.FAILED, {"error": error, "traceback": ""})


def _program_traceback(exc: BaseException, directory: Path) -> str:
    tb = exc.__traceback__
    while tb is not None and not _in_program(tb.tb_frame.f_code.co_filename, directory):
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(exc), exc, tb or exc.__traceback__))


def _in_program(filename: str, directory: Path) -> bool:
    try:
        resolved = Path(filename).resolve()
        return resolved == directory.resolve() or directory.resolve() in resolved.parents
    except (OSError, ValueError):
        return False


def _seed_everything(seed: int) -> None:
    """Seed Python's and numpy's global generators, and default ``seed_transpiler``."""
    import functools

    random.seed(seed)
    with contextlib.suppress(ImportError):
        import numpy

        numpy.random.seed(seed % 2**32)
    try:
        import qiskit
        import qiskit.compiler
    except ImportError:
        return

    def seeded(function: Any) -> Any:
        @functools.wraps(function)
        def with_seed(*args: Any, **kwargs: Any) -> Any:
            if kwargs.get("seed_transpiler") is None:
                kwargs["seed_transpiler"] = seed
            return function(*args, **kwargs)

        return with_seed

    transpile = seeded(qiskit.compiler.transpile)
    qiskit.transpile = qiskit.compiler.transpile = transpile
    for holder in ("qiskit.execute_function", "qiskit.compiler.transpiler"):
        module = sys.modules.get(holder)
        if module is not None and hasattr(module, "transpile"):
            module.transpile = transpile  # type: ignore[attr-defined]
    presets = sys.modules.get("qiskit.transpiler.preset_passmanagers")
    preset = getattr(presets, "generate_preset_pass_manager", None)
    if preset is not None:
        presets.generate_preset_pass_manager = seeded(preset)  # type: ignore[union-attr]


def _die_with_parent() -> None:
    if not sys.platform.startswith("linux"):
        return
    parent = os.getppid()
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
        if os.getppid() != parent:
            os._exit(1)


def _limit_memory(mebibytes: int) -> None:
    if mebibytes <= 0:
        return
    import resource

    limit = mebibytes * 1024 * 1024
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ValueError, OSError) as exc:
        sys.stderr.write(f"runtime-kit: cannot set the memory limit of {mebibytes} MiB: {exc}\n")
        os._exit(3)
