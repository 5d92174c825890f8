"""``runtime-kit run PATH``: run a program locally, as the service would, showing its messages."""

from __future__ import annotations

import argparse
import json
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from runtime_kit.cli.parsers import (
    backend_option,
    backend_provider_option,
    command_parser,
    positive_float,
    positive_int,
)

if TYPE_CHECKING:
    from runtime_kit.harness.record import RunRecord

EPILOG = """inputs: --inputs FILE (wire-format JSON; - for stdin), else inputs/example.json if the
program has one; --param key=value overrides one input (value read as JSON, else a string).

a Qiskit Function project (function.json) runs its entrypoint script: --inputs and --param
give its arguments (default arguments/example.json), its logs and update_status() calls show
as they happen, and the value of its last save_result() is the result.

exit codes: 0 DONE, 1 ERROR, ran too long, the program has validate errors, or (--strict)
a message that does not match its schema,
2 usage error, no such program, or inputs that do not match spec.parameters or that main()
cannot take."""


def build_parser() -> argparse.ArgumentParser:
    parser = command_parser(
        "run",
        "Run a program's main() in a child process on a local simulator, through "
        "the wire format, showing interim results as they are published.",
        EPILOG,
    )
    parser.add_argument("path", type=Path, metavar="PATH", help="program directory or file")
    parser.add_argument("--inputs", metavar="FILE", help="wire-format JSON inputs, - for stdin")
    parser.add_argument(
        "--param", action="append", default=[], metavar="KEY=VALUE", help="set one input"
    )
    backend_option(parser)
    backend_provider_option(parser)
    parser.add_argument(
        "--shots",
        type=positive_int,
        help="the 'shots' input if declared, else the backend's default shots",
    )
    parser.add_argument(
        "--seed",
        type=int,
        help="the run's seed: each sampling call, the transpiler and the global random "
        "generators draw from it (default: a random one, printed at the end)",
    )
    parser.add_argument(
        "--timeout",
        type=positive_float,
        metavar="S",
        help="wall-clock limit (default: max_execution_time)",
    )
    parser.add_argument(
        "--memory", type=positive_int, metavar="MIB", help="memory limit of the program's process"
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="an interim result or result that does not match its schema is an error (exit 1)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON record at the end")
    return parser


def run(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    from runtime_kit.backends.ibm_quantum.provider import open_if_chosen
    from runtime_kit.functions.project import is_function_project
    from runtime_kit.harness.record import DONE
    from runtime_kit.harness.run_inputs import parse_param
    from runtime_kit.harness.runner import DEFAULT_MEMORY_MIB, run_program

    broker = open_if_chosen(
        args.backend_providers, args.ibm_quantum_credentials, on_note=_note
    )  # before the program's process starts: the credentials leave the environment first
    live = not args.json and is_function_project(args.path)  # a function: logs as they come
    shown = LiveOutput(sys.stderr) if live else None
    params = dict(parse_param(p) for p in args.param)
    inputs_text = sys.stdin.read() if args.inputs == "-" else None
    inputs = Path(args.inputs) if args.inputs not in (None, "-") else None
    record = run_program(
        args.path,
        inputs=inputs,
        inputs_text=inputs_text,
        params=params,
        backend=args.backend,
        backend_providers=args.backend_providers,
        broker=broker,
        seed=args.seed,
        shots=args.shots,
        timeout=args.timeout,
        memory_mib=args.memory or DEFAULT_MEMORY_MIB,
        on_interim=None if args.json else _show_interim,
        strict=args.strict,
        on_build=_show_build,
        on_log=shown.log if shown else None,
        on_status=shown.status if shown else None,
    )
    if args.json:
        print(json.dumps(record.to_json()))
    else:
        _show(record, seed_given=args.seed is not None, logs_shown=live)
    return 0 if record.status == DONE else 1


def _note(job_id: str, text: str) -> None:
    print(f"warning: {text}", file=sys.stderr)


def _show_build(line: str) -> None:
    print(f"[runtime-kit] {line}", file=sys.stderr, flush=True)


class LiveOutput:
    """A running function's logs and statuses on ``stream`` as they come, from the two
    threads that read them: each status on a line of its own, never inside a log line (a
    chunk of logs may end mid-line)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._lock = threading.Lock()
        self._mid_line = False

    def log(self, text: str) -> None:
        if text:
            with self._lock:
                self._stream.write(text)
                self._stream.flush()
                self._mid_line = not text.endswith("\n")

    def status(self, status: str) -> None:
        with self._lock:
            self._stream.write(("\n" if self._mid_line else "") + f"status: {status}\n")
            self._stream.flush()
            self._mid_line = False


def _show_interim(index: int, text: str) -> None:
    print(f"interim #{index}: {_plain(text)}", flush=True)


def _plain(text: str) -> str:
    from runtime_kit.wire_schema import plain

    return json.dumps(plain(text))


def _show(record: RunRecord, *, seed_given: bool, logs_shown: bool) -> None:
    if record.result_text is not None:
        print(f"result: {_plain(record.result_text)}")
    err = sys.stderr
    if record.logs and not logs_shown:
        print("--- logs ---", file=err)
        print(record.logs.rstrip("\n"), file=err)
        print("---", file=err)
    for warning in record.warnings:
        print(f"warning: {warning}", file=err)
    if record.error:
        print(f"error: {record.error}", file=err)
    if record.traceback:
        print(record.traceback.rstrip("\n"), file=err)
    print(_footer(record, seed_given), file=err)


def _footer(record: RunRecord, seed_given: bool) -> str:
    """How the run ended; its seed only when the program ran, and how to repeat it only
    when that is true of the seed alone."""
    footer = f"{record.status} in {record.duration_s:.2f} s on {record.backend}"
    if not record.started:
        return footer
    footer += f", seed {record.seed}"
    if record.input_seeds:
        given = ", ".join(f"{name}={value!r}" for name, value in record.input_seeds.items())
        return (
            f"{footer}\nnote: the inputs also set {given}: where main() uses "
            f"{'it' if len(record.input_seeds) == 1 else 'them'}, "
            f"{'it decides' if len(record.input_seeds) == 1 else 'they decide'} instead of "
            "the run's seed"
        )
    if not seed_given:
        footer += f" (--seed {record.seed} repeats this run)"
    return footer
