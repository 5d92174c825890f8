"""``runtime-kit jobs submit|list|show|result|logs|cancel|delete|stream|replay``."""

from __future__ import annotations

import argparse
import json
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from runtime_kit.cli.parsers import CommandGroup, backend_option, json_option

if TYPE_CHECKING:
    from runtime_kit.client.job import RuntimeJob
    from runtime_kit.client.service import RuntimeService

#: How long the streams may take to deliver what a job published once it has ended.
STREAM_DRAIN_S = 30.0

EPILOG = """PROGRAM is a program's id, or its name: yours if you have one of that name, else the
only program of that name you can see. Results print as plain JSON (arrays as lists).
submit --follow and stream show interim results (stdout) and logs (stderr) as they come
and exit 0 only when the job COMPLETED (1 when it failed or was cancelled).

jobs replay runs the job's program version again locally (the harness), with its inputs,
backend and seed, and compares the outcomes: exit 0 when equal, 1 with the differences.

exit codes: 0 done, 1 the job failed or was cancelled (--follow, stream, result), has
ended already (cancel) or replayed differently, 2 usage, bad inputs or an unknown backend,
3 credentials, 4 the service failed (e.g. not found)."""


def build_group() -> CommandGroup:
    group = CommandGroup(
        "jobs", "Submit jobs and follow, inspect or cancel them.", EPILOG, json_option
    )
    submit = group.add("submit", "run a program on the service")
    submit.add_argument("program", metavar="PROGRAM", help="id or name")
    submit.add_argument("--inputs", type=Path, metavar="FILE", help="wire-format JSON inputs")
    submit.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="set one input (value read as JSON, else a string); repeatable",
    )
    backend_option(submit)
    submit.add_argument("--version", help="program version (default: the latest)")
    submit.add_argument(
        "--follow", action="store_true", help="show its messages and logs until it ends"
    )
    listing = group.add("list", "your jobs, newest first")
    listing.add_argument("--limit", type=int, default=10, metavar="N", help="at most N (10)")
    listing.add_argument("--pending", action="store_true", help="only queued or running jobs")
    listing.add_argument("--program", metavar="PROGRAM", help="only this program's (id or name)")
    listing.add_argument(
        "--instance", metavar="HUB/GROUP/PROJECT", help="only those that ran under this instance"
    )
    for name, text in (("show", "one job's state"), ("result", "its result"),
                       ("logs", "its logs so far"), ("cancel", "cancel it"),
                       ("delete", "delete it and its results"),
                       ("stream", "show its messages and logs until it ends")):  # fmt: skip
        command = group.add(name, text)
        command.add_argument("job_id", metavar="JOB", help="the job's id")
        if name == "logs":
            command.add_argument(
                "--follow", action="store_true", help="print logs as they come until it ends"
            )
    replay = group.add("replay", "run it again locally and compare the outcomes")
    replay.add_argument("job_id", metavar="JOB", help="the job's id")
    return group


def _shown_job(shown: dict[str, Any]) -> str:
    lines = [f"{key}: {value}" for key, value in shown.items() if key != "external_jobs"]
    for made in shown.get("external_jobs", []):
        where = f"on {made['backend']} ({made['created']})"
        lines.append(f"{made['provider']} job: {made['id']} {where}")
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    return build_group().parser


def run(argv: list[str]) -> int:
    args = build_group().parse(argv)
    from runtime_kit.client.service import RuntimeService

    service = RuntimeService()
    if args.command == "submit":
        return _submit(service, args)
    if args.command == "replay":
        return _replay(service, args.job_id, args.json)
    if args.command == "list":
        return _list(service, args)
    job = service.job(args.job_id)
    if args.command == "show":
        shown: dict[str, Any] = {"id": job.job_id(), "program": job.program_id,
                                 "status": job.api_status, "backend": job.backend(),
                                 "instance": job.instance,
                                 "created": job.creation_date}  # fmt: skip
        external = job.external_jobs
        if external:
            shown["external_jobs"] = external
        print(json.dumps(shown) if args.json else _shown_job(shown))
    elif args.command == "result":
        return _print_result(job, args.json)
    elif args.command == "logs":
        return _logs(job, args)
    elif args.command == "cancel":
        return _cancel(job, args.json)
    elif args.command == "delete":
        service.delete_job(job.job_id())
        print(json.dumps({"deleted": job.job_id()}) if args.json else f"deleted {job.job_id()}")
    else:
        return _follow(job, args.json)
    return 0


def _list(service: RuntimeService, args: argparse.Namespace) -> int:
    program_id = service.find_program(args.program).program_id if args.program else None
    jobs = service.jobs(
        limit=args.limit,
        pending=True if args.pending else None,
        program_id=program_id,
        instance=args.instance,
    )
    rows = [{"id": j.job_id(), "program": j.program_id, "status": j.api_status,
             "created": j.creation_date} for j in jobs]  # fmt: skip
    if args.json:
        print(json.dumps(rows))
    for row in [] if args.json else rows:
        print(f"{row['id']}  {row['status']:24}  {row['created']}  {row['program']}")
    return 0


def _submit(service: RuntimeService, args: argparse.Namespace) -> int:
    from runtime_kit.harness.run_inputs import parse_param, read_inputs

    # Sent as they are: wire-format values need no decoding to travel again.
    inputs = read_inputs(args.inputs) if args.inputs is not None else {}
    inputs.update(dict(parse_param(p) for p in args.param))
    program_id = service.find_program(args.program).program_id
    job = service.run(program_id, {"backend": args.backend}, inputs, version=args.version)
    if not args.follow:
        print(
            json.dumps({"id": job.job_id(), "program": program_id}) if args.json else job.job_id()
        )
        return 0
    print(f"submitted {job.job_id()} ({program_id})", file=sys.stderr)
    return _follow(job, args.json)


def _replay(service: RuntimeService, job_id: str, as_json: bool) -> int:
    from runtime_kit.replay import replay_job

    report = replay_job(job_id, service=service)
    if as_json:
        print(json.dumps(report.to_json(), default=str))
    else:
        version = f" version {report.version}" if report.version else ""
        print(
            f"replayed {job_id} ({report.program_id}{version}) on {report.backend}, seed "
            f"{report.seed}: {'equal' if report.equal else 'DIFFERENT'}"
        )
        for line in report.differences:
            print(f"  {line}")
    return 0 if report.equal else 1


def _cancel(job: RuntimeJob, as_json: bool) -> int:
    from runtime_kit.errors import InvalidStateError

    try:
        job.cancel()
    except InvalidStateError as exc:
        print(f"error: {exc}; nothing to cancel", file=sys.stderr)
        return 1
    print(json.dumps({"cancelled": job.job_id()}) if as_json else f"cancelled {job.job_id()}")
    return 0


def _logs(job: RuntimeJob, args: argparse.Namespace) -> int:
    if not args.follow:
        print(job.logs(), end="")
        return 0
    for chunk in job.follow_logs():
        print(chunk, end="", flush=True)
    return 0


class PlainDecoder:
    """A ``ResultDecoder`` giving plain JSON data (arrays as lists), as the CLI prints."""

    @classmethod
    def decode(cls, data: str) -> Any:
        from runtime_kit.wire_schema import plain

        return plain(data)


def _follow(job: RuntimeJob, as_json: bool) -> int:
    from runtime_kit.cli.terminal import progress
    from runtime_kit.client.job import JobStatus
    from runtime_kit.errors import InvalidStateError

    messages: list[Any] = []

    def show(job_id: str, message: Any) -> None:
        if not as_json:
            print(f"interim: {json.dumps(message)}", flush=True)
        messages.append(message)

    if job.status() is JobStatus.QUEUED:
        progress(f"{job.job_id()} is waiting in the queue ...")
    logs = _LogFollower(job, quiet=as_json)
    try:
        job.stream_results(show, decoder=PlainDecoder)
        logs.start()
        streamed = True
    except InvalidStateError:  # it has ended already: what it published is stored
        streamed = False
    status = job.wait_for_final_state()
    job.wait_for_stream(timeout=STREAM_DRAIN_S)
    job.cancel_result_streaming()
    logs.finish()
    if job.stream_error is not None:
        print(f"warning: {job.stream_error}", file=sys.stderr)
    if not streamed:
        messages = job.interim_results(decoder=PlainDecoder)
        for message in [] if as_json else messages:
            print(f"interim: {json.dumps(message)}", flush=True)
    return (
        _print_result(job, as_json, streamed=messages)
        if status is JobStatus.DONE
        else _failed(job, as_json)
    )


class _LogFollower:
    """Prints a job's logs on stderr as they come (a background thread), or all of them
    at the end when they cannot be followed (the reason is printed)."""

    def __init__(self, job: RuntimeJob, *, quiet: bool) -> None:
        self.job = job
        self.quiet = quiet
        self.printed = False
        self.error: Exception | None = None
        self._thread = threading.Thread(target=self._follow, daemon=True)

    def start(self) -> None:
        if not self.quiet:
            self._thread.start()

    def _follow(self) -> None:
        from runtime_kit.errors import ServiceError

        try:
            for chunk in self.job.follow_logs():
                if not self.printed:
                    print("--- logs ---", file=sys.stderr)
                    self.printed = True
                print(chunk, end="", file=sys.stderr, flush=True)
        except ServiceError as exc:
            self.error = exc

    def finish(self) -> None:
        if self.quiet:
            return
        if self._thread.ident is not None:
            self._thread.join(timeout=STREAM_DRAIN_S)
            if self.error is None:
                return
            print(f"warning: live logs unavailable ({self.error})", file=sys.stderr)
            if self.printed:
                return
        logs = self.job.logs()
        if logs:
            print("--- logs ---", file=sys.stderr)
            print(logs.rstrip("\n"), file=sys.stderr)


def _print_result(job: RuntimeJob, as_json: bool, streamed: list[Any] | None = None) -> int:
    from runtime_kit.errors import JobCancelledError, JobFailureError

    try:
        result = job.result(decoder=PlainDecoder)
    except (JobFailureError, JobCancelledError) as exc:
        if as_json:
            print(json.dumps({"id": job.job_id(), "status": job.api_status, "error": str(exc)}))
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if as_json:
        shown = {"id": job.job_id(), "status": job.api_status, "result": result}
        if streamed is not None:
            shown["interim_results"] = streamed
        print(json.dumps(shown))
    else:
        print(f"result: {json.dumps(result)}")
        print(f"{job.api_status}: {job.job_id()}", file=sys.stderr)
    return 0


def _failed(job: RuntimeJob, as_json: bool) -> int:
    message = job.error_message() or f"job {job.job_id()} is {job.api_status}"
    if as_json:
        print(json.dumps({"id": job.job_id(), "status": job.api_status, "error": message}))
    else:
        print(f"error: {message}", file=sys.stderr)
    return 1
