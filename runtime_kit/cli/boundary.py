"""The one CLI error boundary: errors become a one-line message and a documented exit code.

Exit codes: 0 success; 1 findings, failed job or program error; 2 usage error;
3 configuration or credentials; 4 service or network error; 70 an internal error (anything
outside the ``RuntimeKitError`` tree: a bug), reported with the path of a crash report.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from runtime_kit.errors import (
    ConfigurationError,
    InputValueError,
    RuntimeKitError,
    ServiceError,
)

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_CONFIG = 3
EXIT_SERVICE = 4
EXIT_INTERNAL = 70  # sysexits.h EX_SOFTWARE


def exit_code_for(error: RuntimeKitError) -> int:
    if isinstance(error, InputValueError):
        return EXIT_USAGE
    if isinstance(error, ConfigurationError):
        return EXIT_CONFIG
    if isinstance(error, ServiceError):
        if error.status in (401, 403):
            return EXIT_CONFIG
        if error.status in (400, 422):  # the service refused what we sent: bad input
            return EXIT_USAGE
        return EXIT_SERVICE
    return EXIT_FAILED


def run_with_boundary(command: Callable[[], object], argv: list[str] | None = None) -> None:
    """Run ``command``; ``argv`` (the command line) goes into a crash report if one is due."""
    try:
        command()
    except RuntimeKitError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(exit_code_for(error))
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): stop quietly, as Unix tools do.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(EXIT_FAILED)
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        sys.exit(130)
    except Exception as error:  # noqa: BLE001 - the boundary: a bug becomes a crash report
        from runtime_kit.cli.crash import write_crash_report

        report = write_crash_report(error, sys.argv[:1] + (argv or sys.argv[1:]))
        print(f"error: internal error: {type(error).__name__}: {error}", file=sys.stderr)
        print(f"a crash report is in {report}; please attach it to a bug report", file=sys.stderr)
        sys.exit(EXIT_INTERNAL)
