"""``run_program``: a program's ``main()`` run as the service runs it, and what came of it.

The program runs in a child process (``harness/child.py``) so that nothing it does (a crash,
``sys.exit``, ``os._exit``, a segfault, a runaway loop) can take the harness down.  Inputs
travel as wire-format text and are decoded by ``RuntimeDecoder`` in the child, exactly as a
service worker decodes them; messages come back encoded by ``RuntimeEncoder``.  The child is
started first, so its qiskit import overlaps the checks done here.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from runtime_kit.harness import frames
from runtime_kit.harness.backends import parse_backend
from runtime_kit.harness.record import CANCELLED, DONE, ERROR, RunRecord
from runtime_kit.harness.run_inputs import prepare_inputs
from runtime_kit.harness.spec import ProgramSpec, load_program_spec

#: RLIMIT_AS of the program's process.  Below ~512 MiB, importing qiskit_aer itself fails.
DEFAULT_MEMORY_MIB = 4096
#: Logs kept per job; beyond it the rest is dropped (and the cut is said in the logs).
MAX_LOG_BYTES = 8 * 1024 * 1024
_GRACE_S = 10.0


def run_program(
    path: str | Path,
    *,
    inputs: Mapping[str, Any] | str | Path | None = None,
    inputs_text: str | None = None,
    params: Mapping[str, Any] | None = None,
    backend: str = "aer",
    seed: int | None = None,
    shots: int | None = None,
    timeout: float | None = None,
    memory_mib: int = DEFAULT_MEMORY_MIB,
    on_interim: Callable[[int, str], None] | None = None,
) -> RunRecord:
    """Run the program at ``path`` (its directory or its file) once.

    Args:
        inputs: Python values by parameter name (encoded with ``RuntimeEncoder``), or the
            path of a wire-format JSON file; default: ``inputs/example.json`` if present.
        inputs_text: wire-format JSON text, instead of ``inputs``.
        params: values that override single inputs.
        backend: ``aer`` (default), ``basic`` or ``generic:N``.
        seed: seeds the simulator, the transpiler and the global generators; chosen at
            random (and recorded) when None, so every run can be repeated exactly.
        shots: the ``shots`` input if the program declares one, else the backend's
            default shots (for ``backend.run`` calls that give none).
        timeout: wall-clock limit in seconds; default: the metadata's max_execution_time.
        memory_mib: address-space limit of the program's process.
        on_interim: called with (index, wire text) for each interim result as it arrives.

    Returns:
        The ``RunRecord``: status DONE, ERROR or CANCELLED - RAN TOO LONG, and all the rest.

    Raises:
        InputValueError: the inputs or the backend name are wrong (nothing was run).
        ProgramRejectedError: validate finds errors in the program or its metadata.
    """
    started = time.perf_counter()
    backend_spec = parse_backend(backend)
    spec = load_program_spec(Path(path))
    seed = secrets.randbelow(2**31) if seed is None else seed
    child = _start_child(spec, memory_mib)
    job_sent = False
    params = dict(params or {})
    declared = spec.declared("parameters")
    takes_shots = isinstance(declared, dict) and "shots" in (declared.get("properties") or {})
    if shots is not None and takes_shots:
        params["shots"] = shots
    try:
        text, warnings = prepare_inputs(spec, inputs, inputs_text, params)
        job = {
            "program": str(spec.program),
            "inputs": text,
            "backend": list(backend_spec),
            "seed": seed,
            "shots": None if takes_shots else shots,
            "min_num_qubits": spec.min_num_qubits,
        }
        child.stdin.write((json.dumps(job) + "\n").encode())
        child.stdin.close()
        job_sent = True
    finally:
        if not job_sent:
            _call_off(child)
    collector = _Collector(spec, on_interim)
    limit = timeout if timeout is not None else spec.max_execution_time
    record = collector.wait(child, limit)
    record.warnings[:0] = warnings
    record.seed = seed
    record.backend = record.backend or str(backend_spec)
    record.duration_s = round(time.perf_counter() - started, 3)
    return record


def _start_child(spec: ProgramSpec, memory_mib: int) -> subprocess.Popen[bytes]:
    read_end, write_end = os.pipe()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    try:
        child = subprocess.Popen(
            [sys.executable, "-m", "runtime_kit.harness.child", str(write_end), str(memory_mib)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            pass_fds=(write_end,),
            cwd=spec.program.parent,
            env=env,
            start_new_session=True,  # its own process group: a timeout kills all it started
        )
    finally:
        os.close(write_end)
    child.frames_fd = read_end  # type: ignore[attr-defined]
    return child


def _call_off(child: subprocess.Popen[bytes]) -> None:
    """The job will not be sent: let the child see an empty stdin and end."""
    try:
        child.stdin.close()
        child.wait(timeout=_GRACE_S)
    except (OSError, subprocess.TimeoutExpired):
        _kill(child)
    child.stdout.close()
    os.close(child.frames_fd)  # type: ignore[attr-defined]


def _kill(child: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(child.pid, signal.SIGKILL)
    child.wait()


class _Collector:
    """Reads the child's frames and logs while it runs; makes the record when it ends."""

    def __init__(self, spec: ProgramSpec, on_interim: Callable[[int, str], None] | None) -> None:
        self.spec = spec
        self.on_interim = on_interim
        self.record = RunRecord(status=ERROR)
        self.logs = bytearray()
        self.logs_cut = False

    def wait(self, child: subprocess.Popen[bytes], limit: float) -> RunRecord:
        readers = [
            threading.Thread(target=self._read_frames, args=(child.frames_fd,), daemon=True),  # type: ignore[attr-defined]
            threading.Thread(target=self._read_logs, args=(child.stdout,), daemon=True),
        ]
        for reader in readers:
            reader.start()
        timed_out = False
        try:
            child.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            timed_out = True
            _kill(child)
        except BaseException:  # Ctrl-C: the child has its own session and would live on
            _kill(child)
            raise
        for reader in readers:
            reader.join(timeout=_GRACE_S)
        child.stdout.close()
        record = self.record
        record.logs = self.logs.decode("utf-8", "replace")
        if self.logs_cut:
            record.logs += f"\n[runtime-kit: logs cut at {MAX_LOG_BYTES} bytes]\n"
        if timed_out:
            record.status = CANCELLED
            record.error = f"ran longer than {limit:g} s (max_execution_time or --timeout)"
        elif record.status != DONE and record.error is None:
            record.error = _describe_exit(child.returncode)
        return record

    def _read_frames(self, fd: int) -> None:
        record = self.record
        for kind, payload in frames.read_frames(fd):
            if kind == frames.INTERIM:
                record.interim_texts.append(payload)
                index = len(record.interim_texts) - 1
                record.warnings += self.spec.check_interim(index, payload)
                if self.on_interim is not None:
                    self.on_interim(index, payload)
            elif kind == frames.RESULT:
                record.result_text = payload
                record.status = DONE
                record.warnings += self.spec.check_result(payload)
            elif kind == frames.STARTED:
                record.backend = json.loads(payload)["backend"]
            else:  # FAILED or REJECTED
                details = json.loads(payload)
                record.status = ERROR
                record.error = details["error"]
                record.traceback = details.get("traceback") or None

    def _read_logs(self, stream: Any) -> None:
        for chunk in iter(lambda: stream.read1(65536), b""):
            room = MAX_LOG_BYTES - len(self.logs)
            if room > 0:
                self.logs += chunk[:room]
            self.logs_cut = self.logs_cut or len(chunk) > room


def _describe_exit(returncode: int | None) -> str:
    if returncode is not None and returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return f"the program's process was killed by {name} before main() returned"
    return f"the program's process exited with code {returncode} before main() returned"
