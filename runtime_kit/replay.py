"""``runtime-kit jobs replay JOB``: run a service job again, locally, and compare.

A job on a service ran a program version with inputs on a simulator seeded by the service;
replaying it fetches all four (the seed from ``GET /jobs/{id}``), runs the same program with
the local harness (``run_program``) under the same seed, and compares the outcomes: the
results as the JSON they stand for (arrays decoded), or, for a failed job, the error.  A
seeded simulator job replays equal, so a difference points at the program, its
dependencies or the environment, and the local run is there to debug.

The program's code comes from the service, which shows it to the program's owner; a
built-in program (``runtime_kit/builtin_programs/<id>``) is run from the installed package.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from runtime_kit.errors import RuntimeKitError

if TYPE_CHECKING:
    from runtime_kit.client.job import RuntimeJob
    from runtime_kit.client.service import RuntimeService
    from runtime_kit.harness.record import RunRecord

#: Differences listed at most (the comparison stops counting there).
MAX_DIFFERENCES = 20
BUILTINS = Path(__file__).resolve().parent / "builtin_programs"


class ReplayError(RuntimeKitError):
    """A job that cannot be replayed: still running, cancelled, no seed, code not shown."""


@dataclass
class ReplayReport:
    """A replay: what ran, both outcomes, and where they differ (empty when equal)."""

    job_id: str
    program_id: str
    version: str | None
    backend: str
    seed: int
    service_status: str
    local_status: str
    service_outcome: Any
    local_outcome: Any
    differences: list[str] = field(default_factory=list)
    local_logs: str = ""

    @property
    def equal(self) -> bool:
        return not self.differences

    def to_json(self) -> dict[str, Any]:
        return {"equal": self.equal, **self.__dict__}


def replay_job(job_id: str, *, service: RuntimeService | None = None) -> ReplayReport:
    """Run job ``job_id`` of ``service`` (default: the configured one) again locally.

    Raises:
        ReplayError: the job has not ended, was cancelled, or cannot be replayed here.
        ServiceError: the service refused (no such job...) or could not be reached.
    """
    from runtime_kit.client.job import JobStatus
    from runtime_kit.client.service import RuntimeService

    service = service if service is not None else RuntimeService()
    job = service.job(job_id)
    status = job.status()
    if not status.final:
        raise ReplayError(f"job {job_id} is {job.api_status}: replay a job that has ended")
    if job.api_status == "CANCELLED":
        raise ReplayError(f"job {job_id} was cancelled: it has no outcome to compare")
    seed = job.seed
    if seed is None:
        raise ReplayError(
            f"the service does not report the seed job {job_id} ran with, so its run cannot "
            "be repeated (it needs a runtime-kit serve that records job seeds)"
        )
    backend = _harness_backend(job.backend())
    inputs = _wire_inputs(job.inputs)
    with tempfile.TemporaryDirectory(prefix="runtime-kit-replay-") as scratch:
        directory = _program_directory(service, job, Path(scratch))
        record = _run(directory, inputs, backend, seed)
    service_outcome = _service_outcome(job, status is JobStatus.DONE)
    local_outcome = _local_outcome(record)
    return ReplayReport(
        job_id=job_id,
        program_id=job.program_id,
        version=job.program_version,
        backend=backend,
        seed=seed,
        service_status=job.api_status,
        local_status=record.status,
        service_outcome=service_outcome,
        local_outcome=local_outcome,
        differences=differences(service_outcome, local_outcome),
        local_logs=record.logs,
    )


def _harness_backend(name: str | None) -> str:
    from runtime_kit.harness.backends import find_backend

    spec = find_backend(name)
    if spec is None:
        raise ReplayError(
            f"backend {name!r} has no local simulator to replay it on (runtime-kit "
            "replays on the simulators and the device snapshots)"
        )
    return str(spec)


def _wire_inputs(inputs: dict[str, Any]) -> str:
    from runtime_kit.serialization import RuntimeEncoder

    return json.dumps(inputs, cls=RuntimeEncoder)


def _program_directory(service: RuntimeService, job: RuntimeJob, scratch: Path) -> Path:
    """The job's program version as a directory the harness runs: unpacked from the
    service, or the installed built-in."""
    from runtime_kit.service.core.bundles import ProgramData, unpack

    program = service.program(job.program_id, refresh=True, version=job.program_version)
    if not program.data:
        builtin = BUILTINS / str(job.program_id)
        if (builtin / "metadata.json").is_file():
            return builtin
        raise ReplayError(
            f"the service shows the code of program {job.program_id} to its owner only: "
            "replay a job of a program of yours"
        )
    directory = scratch / "program"
    unpack(ProgramData(program.data_bytes(), program.data_kind), directory)
    if not (directory / "metadata.json").is_file():  # a single-file upload: only the source
        metadata = {
            "name": program.name,
            "description": program.description,
            "max_execution_time": program.max_execution_time,
            "spec": {
                "backend_requirements": program.backend_requirements,
                "parameters": program.spec_parameters,
                "return_values": program.return_values,
                "interim_results": program.interim_results,
            },
        }
        (directory / "metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
    return directory


def _run(directory: Path, inputs: str, backend: str, seed: int) -> RunRecord:
    from runtime_kit.harness.runner import run_program

    return run_program(directory, inputs_text=inputs, backend=backend, seed=seed)


class _WireText:
    """A result decoder that keeps the wire text."""

    @staticmethod
    def decode(text: str) -> str:
        return text


def _service_outcome(job: RuntimeJob, completed: bool) -> dict[str, Any]:
    from runtime_kit.wire_schema import plain

    if completed:
        return {"result": plain(job.result(decoder=_WireText))}
    return {"error": _first_line(job.error_message() or "")}


def _local_outcome(record: RunRecord) -> dict[str, Any]:
    if record.ok:
        return {"result": record.to_json()["result"]}
    return {"error": _first_line(record.error or "")}


def _first_line(message: str) -> str:
    """The error itself: the service's message starts with a 'Job ... has failed:' line."""
    lines = [line for line in message.splitlines() if line.strip()]
    if lines and lines[0].startswith("Job ") and len(lines) > 1:
        lines = lines[1:]
    return lines[0] if lines else ""


def differences(service: Any, local: Any, path: str = "$") -> list[str]:
    """Where ``local`` differs from ``service`` (plain JSON values), at most
    ``MAX_DIFFERENCES`` lines ``path: service value != local value``."""
    found: list[str] = []
    _compare(service, local, path, found)
    return found[:MAX_DIFFERENCES]


def _compare(service: Any, local: Any, path: str, found: list[str]) -> None:
    if len(found) >= MAX_DIFFERENCES or service == local:
        return
    if isinstance(service, dict) and isinstance(local, dict):
        for key in [*service, *(k for k in local if k not in service)]:
            if key not in local or key not in service:
                side = "local run" if key not in local else "service"
                found.append(f"{path}.{key}: missing from the {side}")
            else:
                _compare(service[key], local[key], f"{path}.{key}", found)
        return
    if isinstance(service, list) and isinstance(local, list) and len(service) == len(local):
        for index, (left, right) in enumerate(zip(service, local, strict=True)):
            _compare(left, right, f"{path}[{index}]", found)
        return
    found.append(f"{path}: {_short(service)} (service) != {_short(local)} (local run)")


def _short(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 80 else f"{text[:77]}..."
