"""``run_function``: a Qiskit Function project run locally as its job runs on the service.

The entrypoint script runs in the harness's child process (runtime-kit's own, or the job-side
runner in the function's environment when its dependencies need one), with the same limits,
seeds and backend as a program: its arguments arrive through ``get_arguments()``, the value of
its last ``save_result()`` is the result, ``update_status()`` and its output come as they
happen.  ``runtime_kit.harness.runner.run_program`` hands function projects here.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from runtime_kit.errors import InputValueError, ProgramRejectedError
from runtime_kit.harness.backends import BackendSpec
from runtime_kit.harness.process import ProgramProcess, describe_exit
from runtime_kit.harness.record import CANCELLED, ERROR, RunRecord
from runtime_kit.harness.run_inputs import parse_inputs, read_inputs, seed_inputs


class FunctionRun(NamedTuple):
    """How to run: ``run_program``'s options, as it was given them."""

    backend: BackendSpec
    seed: int | None
    timeout: float | None
    memory_mib: int
    on_build: Callable[[str], None] | None = None
    on_log: Callable[[str], None] | None = None
    on_status: Callable[[str], None] | None = None


def run_function(
    path: Path,
    run: FunctionRun,
    *,
    inputs: Mapping[str, Any] | str | Path | None = None,
    inputs_text: str | None = None,
    params: Mapping[str, Any] | None = None,
) -> RunRecord:
    """Run the function project at ``path`` once (see ``run_program`` for the options;
    ``inputs`` are its arguments, default ``arguments/example.json``).

    Raises:
        ProgramRejectedError: ``validate`` finds errors in the project.
        InputValueError: the arguments are unreadable or do not match the schema.
        ProgramEnvironmentError: its environment cannot be had.
    """
    from runtime_kit.functions.checks import inspect_function, problems
    from runtime_kit.harness.runner import RecordFrames, _text_sink, environment_python

    started = time.perf_counter()
    found = inspect_function(path)
    errors = [f for f in found.findings if f.severity == "error" and not f.code.startswith("RK5")]
    errors = [f for f in errors if f.code != "RK705"]  # examples: this run's arguments count
    project = found.project
    if errors or project is None:
        listed = "\n".join(str(f) for f in errors)
        raise ProgramRejectedError(f"the function has errors (runtime-kit validate):\n{listed}")
    arguments = _arguments(project.example_arguments, inputs, inputs_text, params)
    wrong = [message for _, message in problems(arguments, project.arguments_schema)]
    if wrong:
        raise InputValueError("\n".join(wrong), name=None)
    own = found.environment.needs_own_environment()
    python = environment_python(found.environment, run.on_build) if own else None
    process = ProgramProcess(project.working_dir, run.memory_mib, python=python)
    seed = secrets.randbelow(2**31) if run.seed is None else run.seed
    text = json.dumps(arguments)
    process.send(
        {
            "program": str(project.script),
            "script": project.entrypoint,
            "directory": str(project.working_dir),
            "entrypoint": "script",
            "inputs": text,
            "backend": list(run.backend),
            "seed": seed,
            "shots": None,
            "min_num_qubits": None,
        }
    )
    record = RunRecord(status=ERROR, seed=seed, input_seeds=seed_inputs(text))
    limit = run.timeout if run.timeout is not None else project.max_execution_time
    frames = RecordFrames(record, None, None, run.on_status)
    outcome = process.watch(limit, frames, on_log=_text_sink(run.on_log))
    record.logs = outcome.logs
    if outcome.timed_out:
        record.status = CANCELLED
        record.error = f"ran longer than {limit:g} s (max_execution_time or --timeout)"
    elif record.error is None and record.result_text is None:
        record.error = describe_exit(outcome.returncode).replace("main() returned", "it ended")
    record.backend = record.backend or str(run.backend)
    record.duration_s = round(time.perf_counter() - started, 3)
    return record


def _arguments(
    example: Path | None,
    inputs: Mapping[str, Any] | str | Path | None,
    text: str | None,
    params: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """The run's arguments in the wire format: given, or the example, with ``params`` over."""
    from runtime_kit.harness.run_inputs import _encoded

    if text is not None:
        values = parse_inputs(text, "arguments")
    elif isinstance(inputs, Mapping):
        values = _encoded(dict(inputs))
    else:
        file = Path(inputs) if inputs is not None else example
        values = {} if file is None else read_inputs(file)
    if params:
        values.update(_encoded(dict(params)))
    return values
