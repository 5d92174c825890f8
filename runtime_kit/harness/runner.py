"""``run_program``: a program's ``main()`` run as the service runs it, and what came of it.

The program runs in a child process (``harness/child.py``) so that nothing it does (a crash,
``sys.exit``, ``os._exit``, a segfault, a runaway loop) can take the harness down.  Inputs
travel as wire-format text and are decoded by ``RuntimeDecoder`` in the child, exactly as a
service worker decodes them; messages come back encoded by ``RuntimeEncoder``.  The child is
started first, so its qiskit import overlaps the checks done here.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from runtime_kit.environments.declaration import EnvironmentSpec
from runtime_kit.errors import InputValueError
from runtime_kit.harness import frames
from runtime_kit.harness.backends import parse_backend
from runtime_kit.harness.broker import Broker, BrokerLink
from runtime_kit.harness.limit_errors import memory_failure_in, preparation_needs
from runtime_kit.harness.process import Outcome, ProgramProcess, describe_exit
from runtime_kit.harness.record import CANCELLED, DONE, ERROR, RunRecord
from runtime_kit.harness.run_inputs import prepare_inputs, seed_inputs
from runtime_kit.harness.spec import ProgramSpec, load_program_spec
from runtime_kit.harness.warm_harness import program_process

if TYPE_CHECKING:
    from runtime_kit.environments.builder import Environment

#: The job id a broker knows a ``runtime-kit run`` by.
LOCAL_RUN = "runtime-kit-run"
#: RLIMIT_AS of the program's process.  Below ~512 MiB, importing qiskit_aer itself fails.
DEFAULT_MEMORY_MIB = 4096


def run_program(
    path: str | Path,
    *,
    inputs: Mapping[str, Any] | str | Path | None = None,
    inputs_text: str | None = None,
    params: Mapping[str, Any] | None = None,
    backend: str = "aer_simulator",
    backend_providers: Sequence[str] = (),
    broker: Broker | None = None,
    seed: int | None = None,
    shots: int | None = None,
    timeout: float | None = None,
    memory_mib: int = DEFAULT_MEMORY_MIB,
    on_interim: Callable[[int, str], None] | None = None,
    strict: bool = False,
    on_build: Callable[[str], None] | None = None,
    on_log: Callable[[str], None] | None = None,
    on_status: Callable[[str], None] | None = None,
) -> RunRecord:
    """Run the program at ``path`` (its directory or its file) once.

    Args:
        inputs: Python values by parameter name (encoded with ``RuntimeEncoder``), or the
            path of a wire-format JSON file; default: ``inputs/example.json`` if present.
        inputs_text: wire-format JSON text, instead of ``inputs``.
        params: values that override single inputs.
        backend: ``aer_simulator`` (default), ``basic_simulator``, ``generic-N``,
            ``noisy-N`` (aliases: ``aer``, ``basic``, ``generic:N``, ``noisy:N``), an IBM
            device snapshot (``ibmq_montreal``, ``ibm_sherbrooke``, ``fake_*``), or a
            backend of ``backend_providers``.
        backend_providers: providers (``runtime_kit.backends``) asked first for
            ``backend``.
        broker: serves the program's requests for a backend it cannot reach itself (IBM
            Quantum hardware: ``runtime_kit.backends.ibm_quantum``).
        seed: seeds the simulator, the transpiler and the global generators; chosen at
            random (and recorded) when None, so every run can be repeated exactly.
        shots: the ``shots`` input if the program declares one, else the backend's
            default shots (for ``backend.run`` calls that give none).
        timeout: wall-clock limit in seconds; default: the metadata's max_execution_time.
        memory_mib: address-space limit of the program's process.
        on_interim: called with (index, wire text) for each interim result as it arrives.
        strict: an interim result or a result that does not match its declared schema
            makes the run an ERROR (else it is a warning).
        on_build: called with each line of the build of the program's environment (a
            program that declares requirements runtime-kit's own environment does not
            satisfy; see docs/environments.md), as it comes.
        on_log: called with the program's output as it comes (it is in the record too).
        on_status: called with each sub-status a Qiskit Function sets, as it comes.

    A Qiskit Function project (``function.json``) runs as its job would: ``inputs`` are
    its arguments, its saved result is the result (``runtime_kit.functions.runner``).

    Returns:
        The ``RunRecord``: status DONE, ERROR or CANCELLED - RAN TOO LONG, and all the rest.

    Raises:
        InputValueError: the inputs, the backend name or the path are wrong (nothing was
            run).
        ConfigurationError: a backend provider that cannot be loaded.
        ProgramRejectedError: validate finds errors in the program or its metadata.
        ProgramEnvironmentError: the program's environment cannot be had (no interpreter of
            its Python, or the build failed: the resolver's message).
    """
    started = time.perf_counter()
    if timeout is not None and not timeout > 0:
        raise InputValueError(f"timeout must be a positive number of seconds, not {timeout!r}")
    backend_spec = parse_backend(backend, backend_providers)
    if not Path(path).exists():
        raise InputValueError(f"{path}: no such program directory or file", name=None)
    from runtime_kit.functions.project import is_function_project

    if is_function_project(Path(path)):
        from runtime_kit.functions.runner import FunctionRun, run_function

        run = FunctionRun(backend_spec, seed, timeout, memory_mib, on_build, on_log, on_status)
        return run_function(Path(path), run, inputs=inputs, inputs_text=inputs_text, params=params)
    spec = load_program_spec(Path(path))
    seed = secrets.randbelow(2**31) if seed is None else seed
    environment = _environment(spec, on_build) if spec.own_environment else None
    python, site_paths = interpreter_and_paths(environment)
    process = program_process(spec.program.parent, memory_mib, python)
    job_sent = False
    params = dict(params or {})
    declared = spec.declared("parameters")
    takes_shots = isinstance(declared, dict) and "shots" in (declared.get("properties") or {})
    if shots is not None and takes_shots:
        params["shots"] = shots
    link = None
    if broker is not None and broker.serves(list(backend_spec)):
        link = BrokerLink(broker, LOCAL_RUN, list(backend_spec), process)
    try:
        text, warnings = prepare_inputs(spec, inputs, inputs_text, params)
        process.send(
            {
                "program": str(spec.program),
                "inputs": text,
                "backend": list(backend_spec),
                "seed": seed,
                "shots": None if takes_shots else shots,
                "min_num_qubits": spec.min_num_qubits,
                "site_paths": site_paths,
            },
            keep_stdin=link is not None,
        )
        job_sent = True
    finally:
        if not job_sent:
            process.call_off()
            if link is not None:
                link.end()
    record = RunRecord(status=ERROR, warnings=warnings, seed=seed, input_seeds=seed_inputs(text))
    limit = timeout if timeout is not None else spec.max_execution_time
    outcome = _watch(process, limit, RecordFrames(record, spec, on_interim), link, on_log)
    record.logs = outcome.logs
    if outcome.timed_out:
        record.status = CANCELLED
        record.error = f"ran longer than {limit:g} s (max_execution_time or --timeout)"
    elif record.status != DONE and record.error is None:
        record.error = _exit_error(outcome.logs, outcome.returncode, record, memory_mib)
    if strict and record.status == DONE and record.schema_mismatches:
        record.status = ERROR
        record.error = "strict: " + "; ".join(record.schema_mismatches)
    record.backend = record.backend or str(backend_spec)
    record.duration_s = round(time.perf_counter() - started, 3)
    return record


def _watch(
    process: ProgramProcess,
    limit: float,
    frames_to: RecordFrames,
    link: BrokerLink | None,
    on_log: Callable[[str], None] | None,
) -> Outcome:
    """The process's frames into the record (its broker's requests to the broker) until
    it ends; then the broker cancels what the run left on the hardware."""
    try:
        routed = frames_to if link is None else link.frames(frames_to)
        return process.watch(limit, routed, on_log=_text_sink(on_log))
    finally:
        if link is not None:
            link.end()


def _exit_error(logs: str, returncode: int | None, record: RunRecord, memory_mib: int) -> str:
    """Why a child that sent no failure ended: a native library refusing memory (before
    main(): the one line a Python MemoryError there gives), or its exit."""
    limits = {"memory_mib": memory_mib, "memory_scope": "process"}
    reached = memory_failure_in(logs, limits)
    if reached is not None and not record.started:
        return f"{reached} before main() started: {preparation_needs(limits)}"
    return reached or describe_exit(returncode)


def _environment(spec: ProgramSpec, on_build: Callable[[str], None] | None) -> Environment:
    """The program's environment (or overlay), built first if it is not yet."""
    return prepare_environment(spec.environment, on_build)


def prepare_environment(
    environment: EnvironmentSpec, on_build: Callable[[str], None] | None
) -> Environment:
    """A declared environment (or overlay), built first if it is not yet."""
    from runtime_kit.environments.builder import EnvironmentBuilder
    from runtime_kit.environments.local import local_cache

    builder = EnvironmentBuilder(local_cache())
    log = on_build or (lambda line: None)
    return builder.prepare(environment, domain="local", log=log)


def interpreter_and_paths(environment: Environment | None) -> tuple[Path | None, list[str]]:
    """Who runs a job in ``environment``: its own interpreter (None: runtime-kit's), and the
    directories to put first on ``sys.path`` (an overlay's)."""
    if environment is None:
        return None, []
    if environment.overlay:
        return None, [str(environment.path)]
    return environment.python, []


def _text_sink(on_log: Callable[[str], None] | None) -> Callable[[bytes], None] | None:
    """``on_log`` fed with the output's chunks as text (a character split across two
    chunks is whole in the second)."""
    if on_log is None:
        return None
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    return lambda chunk: on_log(decoder.decode(chunk))


class RecordFrames:
    """Fills a ``RunRecord`` from the frames of the program's process (``spec``: what its
    messages are checked against; None for a function, which declares no such schemas)."""

    def __init__(
        self,
        record: RunRecord,
        spec: ProgramSpec | None,
        on_interim: Callable[[int, str], None] | None,
        on_status: Callable[[str], None] | None = None,
    ) -> None:
        self.record = record
        self.spec = spec
        self.on_interim = on_interim
        self.on_status = on_status

    def __call__(self, kind: str, payload: str) -> None:
        record = self.record
        if kind == frames.INTERIM:
            record.interim_texts.append(payload)
            index = len(record.interim_texts) - 1
            if self.spec is not None:
                record.mismatched(self.spec.check_interim(index, payload))
            if self.on_interim is not None:
                self.on_interim(index, payload)
        elif kind == frames.RESULT:
            record.result_text = payload
            record.status = DONE
            if self.spec is not None:
                record.mismatched(self.spec.check_result(payload))
        elif kind == frames.STATUS:
            status = str(json.loads(payload)["status"])
            record.statuses.append(status)
            if self.on_status is not None:
                self.on_status(status)
        elif kind == frames.STARTED:
            record.backend = json.loads(payload)["backend"]
            record.started = True
        elif kind in (frames.OVERSIZED, frames.MALFORMED):
            record.status = ERROR
            record.error = frames.refusal(kind, payload, None)
        else:  # FAILED or REJECTED
            details = json.loads(payload)
            record.status = ERROR
            record.error = details["error"]
            record.traceback = details.get("traceback") or None
