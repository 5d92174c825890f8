"""What the CLI shows only on a terminal: progress of long steps, on stderr.

Output is plain text everywhere (no colour, no cursor movement), so ``NO_COLOR`` and output
to a pipe or a file need nothing more; progress lines are left out unless stderr is a
terminal, so logs and pipes hold only what the command reports.
"""

from __future__ import annotations

import sys


def on_terminal() -> bool:
    """Is stderr a terminal (a person watching)?"""
    return sys.stderr.isatty()


def progress(message: str) -> None:
    """Show ``message`` on stderr if it is a terminal; nothing otherwise."""
    if on_terminal():
        print(message, file=sys.stderr, flush=True)
