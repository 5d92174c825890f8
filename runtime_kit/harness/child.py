"""The program's process: ``python -m runtime_kit.harness.child FRAMES_FD MEMORY_MIB [PREPARE]``.

Started by the harness before the inputs are even checked, it applies the memory limit and
imports qiskit while the harness works (and prepares the backends ``PREPARE`` lists, a JSON
list of backend specs: a service's ``--prepare-backends``), then reads one job (a JSON line
on stdin), runs ``main()`` and reports on the frames pipe.  Its stdout and stderr are the
program's logs.  An empty stdin means the job was called off.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import site
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from runtime_kit.harness import frames
from runtime_kit.harness.limit_errors import limit_reached, preparation_needs
from runtime_kit.program.messenger import UserMessenger


def main(argv: list[str]) -> int:
    frames_fd, memory_mib = int(argv[0]), int(argv[1])
    prepare = json.loads(argv[2]) if len(argv) > 2 else []
    _limit_memory(memory_mib)  # runtime-kit run; a service confines its jobs before this
    _die_with_parent()
    warm_up(prepare)
    serve_one_job(frames_fd, memory_mib)
    return 0


def serve_one_job(frames_fd: int, memory_mib: int = 0) -> None:
    """Read one job from stdin and run it (an empty stdin: the job was called off); then
    end the process: threads the program left behind must not keep the job alive."""
    line = sys.stdin.readline()
    if line.strip():
        try:
            run_job(json.loads(line), frames_fd, memory_mib)
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
    os._exit(0)


def run_job(job: dict[str, Any], frames_fd: int, memory_mib: int) -> None:
    """Run one job: ``program`` (a path: ``runtime-kit run``) or ``bundle`` (the program's
    data as a service stores it, unpacked here, inside the job's confinement)."""
    limits = job.get("limits") or {"memory_mib": memory_mib, "memory_scope": "process"}
    prepared = _prepare(job, frames_fd, limits)
    if prepared is None:
        return
    program, directory, backend = prepared
    if job.get("shots"):
        backend.set_options(shots=job["shots"])
    required = job.get("min_num_qubits")
    if required and backend.qubit_count < required:
        _control(
            frames_fd,
            frames.REJECTED,
            {
                "error": f"backend {backend.name} has {backend.qubit_count} qubits; the program "
                f"needs {required} (spec.backend_requirements.min_num_qubits)"
            },
        )
        return
    _control(
        frames_fd,
        frames.STARTED,
        {
            "backend": str(backend.name),
            "num_qubits": backend.qubit_count,
        },
    )
    from runtime_kit.jobside.entrypoints import ENTRIES, Encoded, ScriptExit

    messenger = _FrameMessenger(frames_fd)
    try:
        entry = ENTRIES[job.get("entrypoint", "main")](program)
        entry.load()
        inputs = _decode_inputs(job["inputs"])
        returned = entry.run(backend, messenger, inputs)
    except ScriptExit as exc:
        _control(frames_fd, frames.FAILED, {"error": str(exc), "traceback": ""})
        return
    except SystemExit as exc:
        if messenger.final_sent:
            return
        _control(
            frames_fd,
            frames.FAILED,
            {
                "error": f"the program called sys.exit({exc.code!r}) before main() returned",
                "traceback": _program_traceback(exc, directory),
            },
        )
        return
    except BaseException as exc:  # noqa: BLE001  (whatever the program raises is reported)
        _failed(frames_fd, exc, directory, limits)
        return
    if isinstance(returned, Encoded):  # a function's saved result
        frames.write_frame(frames_fd, frames.RESULT, returned.text)
        return
    if returned is None and messenger.final_sent:
        return  # legacy: the result was published with final=True
    _send_result(frames_fd, returned)


def _prepare(
    job: dict[str, Any], frames_fd: int, limits: dict[str, Any]
) -> tuple[Path, Path, Any] | None:
    """The program, its directory and the backend, or None once the failure is reported.

    Everything before main() is guarded: a cap hit anywhere here (an import of runtime-kit's
    own modules as much as qiskit's, under a low RLIMIT_AS) is one line saying what the
    libraries need, never a traceback on stderr."""
    directory = Path.cwd()
    try:
        try:
            program, paths = _program_of(job)
        except Exception as exc:  # a bundle that cannot be unpacked fails the job
            if limit_reached(exc, limits) is None:
                what = "the program's bundle cannot be used"
                _failed(frames_fd, exc, directory, limits, what=what)
                return None
            raise
        from runtime_kit.jobside.runner import working_directory

        directory = working_directory(job, program)
        os.chdir(directory)
        sys.path.insert(0, str(directory))
        if program.parent != directory:  # a script's own folder, as ``python folder/script.py``
            sys.path.insert(0, str(program.parent))
        for path in reversed(paths):  # the program's own wheels come first
            sys.path.insert(0, path)
        for path in job.get("site_paths") or ():  # an overlay: packages added to runtime-kit's
            site.addsitedir(path)
        return program, directory, _prepared_backend(job, frames_fd, limits)
    except BaseException as exc:  # noqa: BLE001  (reported: main() never started)
        _failed_before_main(frames_fd, exc, directory, limits)
        return None


def _prepared_backend(job: dict[str, Any], frames_fd: int, limits: dict[str, Any]) -> Any:
    """The process made ready for the program (legacy names, logging, the broker's answers,
    seeds), and the job's backend built."""
    from runtime_kit.harness import broker_client
    from runtime_kit.harness.backends import BackendSpec, build_backend
    from runtime_kit.harness.job_logging import configure_job_logging
    from runtime_kit.harness.legacy_modules import install_legacy_modules
    from runtime_kit.harness.transpiler_plugins import defer_ibm_runtime_plugins

    install_legacy_modules()
    configure_job_logging(job.get("log_level"))
    broker_client.connect(frames_fd, sys.stdin)  # answers come on stdin, if any
    defer_ibm_runtime_plugins()
    seed = job["seed"]
    _seed_everything(seed)
    spec = BackendSpec(*job["backend"])
    return build_backend(spec, seed=seed, memory_mib=limits.get("memory_mib") or 0)


class _FrameMessenger(UserMessenger):
    """The ``user_messenger`` of the job: every message goes to the harness as it is made."""

    def __init__(self, frames_fd: int) -> None:
        self.final_sent = False
        self._fd = frames_fd

    def emit(self, text: str, *, final: bool) -> None:
        frames.write_frame(self._fd, frames.RESULT if final else frames.INTERIM, text)
        self.final_sent = self.final_sent or final

    def encode(self, value: Any) -> str:
        """``value`` in the wire format (a function's saved result).

        Raises:
            EncodeError: a ``TypeError`` saying what cannot be encoded, and where.
        """
        from runtime_kit.serialization import RuntimeEncoder

        return json.dumps(value, cls=RuntimeEncoder)

    def status(self, status: str) -> None:
        """A function's sub-status, to the harness as it is set."""
        _control(self._fd, frames.STATUS, {"status": status})


def _decode_inputs(text: str) -> dict[str, Any]:
    from runtime_kit.serialization import RuntimeDecoder

    inputs: dict[str, Any] = json.loads(text, cls=RuntimeDecoder)
    return inputs


def _send_result(frames_fd: int, returned: Any) -> None:
    from runtime_kit.errors import EncodeError
    from runtime_kit.serialization import RuntimeEncoder

    try:
        text = json.dumps(returned, cls=RuntimeEncoder)
    except EncodeError as exc:
        _control(
            frames_fd,
            frames.FAILED,
            {
                "error": f"the value main() returned cannot be encoded: {exc}",
                "traceback": "",
            },
        )
        return
    frames.write_frame(frames_fd, frames.RESULT, text)


def _program_of(job: dict[str, Any]) -> tuple[Path, list[str]]:
    """The program's entry module and the import paths of its wheels."""
    if "bundle" not in job:
        return Path(job["program"]), []
    import base64

    from runtime_kit.harness.wheels import extract_wheel
    from runtime_kit.project import locate
    from runtime_kit.service.core.bundles import ProgramData, unpack

    directory = Path.cwd() / "program"
    unpack(ProgramData(base64.b64decode(job["bundle"]), job["bundle_kind"]), directory)
    if job.get("script") is not None:
        from runtime_kit.jobside.bundle import script_path

        return script_path(directory, job["script"]), []
    layout, _ = locate(directory)
    if layout.program is None:
        raise FileNotFoundError("the program bundle has no program module (program.py)")
    paths = []
    for wheel in sorted(directory.glob("wheels/*.whl")):
        target = Path.cwd() / "site" / wheel.stem
        extract_wheel(wheel, target)
        paths.append(str(target))
    return layout.program, paths


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
    _control(
        frames_fd,
        frames.FAILED,
        {
            "error": error,
            "traceback": _program_traceback(exc, directory),
        },
    )


def _failed_before_main(
    frames_fd: int, exc: BaseException, directory: Path, limits: dict[str, Any]
) -> None:
    """The job could not be prepared (qiskit, Aer and the backend): a cap hit there is said
    in one line, with what the libraries need; anything else with its whole traceback."""
    reached = limit_reached(exc, limits)
    if reached is None:
        _failed(frames_fd, exc, directory, limits, what="the job could not be prepared")
        return
    error = f"{reached} before main() started: {preparation_needs(limits)}"
    _control(frames_fd, frames.FAILED, {"error": error, "traceback": ""})


def _program_traceback(exc: BaseException, directory: Path) -> str:
    """The traceback from the program's first frame on: the harness's frames are noise."""
    tb = exc.__traceback__
    while tb is not None and not _in_program(tb.tb_frame.f_code.co_filename, directory):
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(exc), exc, tb or exc.__traceback__))


def _in_program(filename: str, directory: Path) -> bool:
    try:
        return Path(filename).resolve().is_relative_to(directory)
    except (OSError, ValueError):
        return False


def _control(frames_fd: int, kind: str, payload: dict[str, Any]) -> None:
    frames.write_frame(frames_fd, kind, json.dumps(payload))


def _seed_everything(seed: int) -> None:
    """Seed Python's and numpy's global generators, and default ``seed_transpiler``."""
    import functools
    import random

    random.seed(seed)
    try:
        import numpy as np

        np.random.seed(seed % 2**32)
    except ImportError:
        pass
    try:
        import qiskit
        import qiskit.compiler
        import qiskit.transpiler
        import qiskit.transpiler.preset_passmanagers as presets
    except ImportError:
        return

    def seeded(function: Any) -> Any:
        @functools.wraps(function)
        def with_seed(*args: Any, **kwargs: Any) -> Any:
            if kwargs.get("seed_transpiler") is None:
                kwargs["seed_transpiler"] = seed
            return function(*args, **kwargs)

        return with_seed

    qiskit.transpile = qiskit.compiler.transpile = seeded(qiskit.compiler.transpile)
    preset = seeded(presets.generate_preset_pass_manager)
    qiskit.transpiler.generate_preset_pass_manager = presets.generate_preset_pass_manager = preset


def warm_up(prepare: Sequence[Sequence[str]] = ()) -> None:
    """Import what every job needs while the harness is busy elsewhere (or idle), and
    prepare the backends in ``prepare`` (a failure there is the job's: not swallowed).  An
    import that fails here (a MemoryError under a low RLIMIT_AS) is the job's preparation's
    to report: it imports them again."""
    with contextlib.suppress(ImportError, MemoryError):
        import qiskit  # noqa: F401
        import qiskit_aer  # noqa: F401

        import runtime_kit.harness.backends
        import runtime_kit.serialization.decoder
        import runtime_kit.serialization.encoder  # noqa: F401
    if prepare:
        from runtime_kit.backends.provider import BackendSpec
        from runtime_kit.backends.registry import prepare_backends
        from runtime_kit.harness.transpiler_plugins import defer_ibm_runtime_plugins

        defer_ibm_runtime_plugins()
        prepare_backends(BackendSpec(*spec) for spec in prepare)


def _die_with_parent() -> None:
    """Linux: be killed when the harness dies, even by ``kill -9`` (no orphaned jobs)."""
    if not sys.platform.startswith("linux"):
        return
    parent = os.getppid()  # 1 is a live parent in a pid namespace (the sandbox's init)
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(1)


def _limit_memory(mebibytes: int) -> None:
    """RLIMIT_AS of this process; one that cannot be set ends it (never a silent no-limit)."""
    if mebibytes <= 0:
        return
    import resource

    limit = mebibytes * 1024 * 1024
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ValueError, OSError) as exc:
        sys.stderr.write(f"runtime-kit: cannot set the memory limit of {mebibytes} MiB: {exc}\n")
        os._exit(3)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
