"""``runtime-kit jobs submit|list|show|result|logs|cancel|delete|stream|replay``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from runtime_kit.cli.parsers import command_parser

EPILOG = """jobs submit --follow shows interim results and logs as they come and exits 0 only when
the job COMPLETED (1 when it failed or was cancelled).

jobs replay runs the job's program version again locally (the harness), with its inputs,
backend and seed, and compares the outcomes: exit 0 when equal, 1 with the differences.

exit codes: 0 done, 1 the job failed (--follow, result) or replayed differently, 2 usage or
bad inputs, 3 credentials, 4 the service failed (e.g. not found)."""


def build_parser() -> argparse.ArgumentParser:
    parser = command_parser("jobs", "Submit jobs and follow, inspect or cancel them.", EPILOG)
    parser.add_argument("--json", action="store_true", help="print JSON")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    submit = commands.add_parser("submit", help="run a program")
    submit.add_argument("program", metavar="PROGRAM", help="a program id, or the name of yours")
    submit.add_argument("--inputs", type=Path, metavar="FILE", help="wire-format JSON inputs")
    submit.add_argument("--param", action="append", default=[], metavar="KEY=VALUE")
    submit.add_argument("--backend", default="aer_simulator")
    submit.add_argument("--version", help="program version (default: latest)")
    submit.add_argument("--follow", action="store_true", help="stream until the job ends")
    listing = commands.add_parser("list", help="your jobs, newest first")
    listing.add_argument("--limit", type=int, default=10)
    listing.add_argument("--pending", action="store_true")
    listing.add_argument("--program")
    for name, text in (("show", "one job"), ("result", "the result"), ("logs", "its logs"),
                       ("cancel", "cancel it"), ("delete", "delete it"),
                       ("stream", "stream its messages until it ends")):  # fmt: skip
        command = commands.add_parser(name, help=text)
        command.add_argument("job_id", metavar="JOB")
    replay = commands.add_parser("replay", help="run it again locally and compare outcomes")
    replay.add_argument("job_id", metavar="JOB")
    # also after JOB; SUPPRESS keeps a --json given before the command
    replay.add_argument("--json", action="store_true", default=argparse.SUPPRESS)
    return parser


def run(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    from runtime_kit.client.service import RuntimeService

    service = RuntimeService()
    if args.command == "submit":
        return _submit(service, args)
    if args.command == "replay":
        return _replay(service, args.job_id, args.json)
    if args.command == "list":
        jobs = service.jobs(
            limit=args.limit, pending=True if args.pending else None, program_id=args.program
        )
        rows = [
            {
                "id": j.job_id(),
                "program": j.program_id,
                "status": j.api_status,
                "created": j.creation_date,
            }
            for j in jobs
        ]
        if args.json:
            print(json.dumps(rows))
        for row in [] if args.json else rows:
            print(f"{row['id']}  {row['status']:24}  {row['created']}  {row['program']}")
        return 0
    job = service.job(args.job_id)
    if args.command == "show":
        shown = {"id": job.job_id(), "program": job.program_id, "status": job.api_status,
                 "backend": job.backend(), "created": job.creation_date}  # fmt: skip
        print(json.dumps(shown) if args.json else "\n".join(f"{k}: {v}" for k, v in shown.items()))
    elif args.command == "result":
        return _print_result(job, args.json)
    elif args.command == "logs":
        print(job.logs(), end="")
    elif args.command == "cancel":
        job.cancel()
        print(json.dumps({"cancelled": job.job_id()}) if args.json else f"cancelled {job.job_id()}")
    elif args.command == "delete":
        service.delete_job(job.job_id())
        print(json.dumps({"deleted": job.job_id()}) if args.json else f"deleted {job.job_id()}")
    else:
        return _follow(job, args.json)
    return 0


def _submit(service: Any, args: argparse.Namespace) -> int:
    from runtime_kit.harness.run_inputs import parse_param, read_inputs

    # Sent as they are: wire-format values need no decoding to travel again.
    inputs = read_inputs(args.inputs) if args.inputs is not None else {}
    inputs.update(dict(parse_param(p) for p in args.param))
    program_id = _program_id(service, args.program)
    job = service.run(program_id, inputs, {"backend": args.backend}, version=args.version)
    if not args.follow:
        print(
            json.dumps({"id": job.job_id(), "program": program_id}) if args.json else job.job_id()
        )
        return 0
    print(f"submitted {job.job_id()} ({program_id})", file=sys.stderr)
    return _follow(job, args.json)


def _replay(service: Any, job_id: str, as_json: bool) -> int:
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


def _program_id(service: Any, given: str) -> str:
    """``given`` if it is a program id, else the id of this token's program of that name."""
    from runtime_kit.client.errors import ProgramNotFoundError

    try:
        return service.program(given, refresh=True).program_id
    except ProgramNotFoundError:
        pass
    own = service.own_program(given)
    if own is not None:
        return own.program_id
    raise ProgramNotFoundError(
        f"no program {given!r} (neither an id nor the name of one of yours)", status=404
    )


def _follow(job: Any, as_json: bool) -> int:
    from runtime_kit.client.job import JobStatus

    messages: list[Any] = []

    def show(job_id: str, message: Any) -> None:
        # Shown one behind: the stream ends with the result, which is not an interim result.
        if messages and not as_json:
            print(f"interim: {json.dumps(messages[-1], default=str)}", flush=True)
        messages.append(message)

    if not job.status().final:
        job.stream_results(show)
    status = job.wait_for_final_state()
    job.cancel_result_streaming()
    if status is JobStatus.DONE and messages:
        messages.pop()  # the result
    elif messages and not as_json:
        print(f"interim: {json.dumps(messages[-1], default=str)}", flush=True)
    logs = job.logs()
    if logs and not as_json:
        print("--- logs ---", file=sys.stderr)
        print(logs.rstrip("\n"), file=sys.stderr)
    return (
        _print_result(job, as_json, streamed=messages)
        if status is JobStatus.DONE
        else _failed(job, as_json)
    )


def _print_result(job: Any, as_json: bool, streamed: list[Any] | None = None) -> int:
    from runtime_kit.client.errors import JobFailureError

    try:
        result = job.result()
    except JobFailureError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if as_json:
        print(
            json.dumps(
                {
                    "id": job.job_id(),
                    "status": job.api_status,
                    "result": result,
                    "interim_results": streamed,
                },
                default=str,
            )
        )
    else:
        print(f"result: {json.dumps(result, default=str)}")
        print(f"{job.api_status}: {job.job_id()}", file=sys.stderr)
    return 0


def _failed(job: Any, as_json: bool) -> int:
    message = job.error_message() or f"job {job.job_id()} is {job.api_status}"
    if as_json:
        print(json.dumps({"id": job.job_id(), "status": job.api_status, "error": message}))
    else:
        print(f"error: {message}", file=sys.stderr)
    return 1
