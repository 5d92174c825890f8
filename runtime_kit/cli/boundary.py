"""The one CLI error boundary: errors become a one-line message and a documented exit code.

Exit codes: 0 success; 1 findings, failed job or program error; 2 usage error;
3 configuration or credentials; 4 service or network error.
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


def exit_code_for(error: RuntimeKitError) -> int:
    if isinstance(error, InputValueError):
        return EXIT_USAGE
    if isinstance(error, ConfigurationError):
        return EXIT_CONFIG
    if isinstance(error, ServiceError):
        return EXIT_CONFIG if error.status in (401, 403) else EXIT_SERVICE
    return EXIT_FAILED


def run_with_boundary(command: Callable[[], object]) -> None:
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
