"""``UserMessenger`` of a program in an environment of its own (the legacy class: publish
with an encoder, ``final=True`` for a result published instead of returned)."""

from __future__ import annotations

import json
from typing import Any

from . import frames


class UserMessenger:
    """Publishes messages from a running program; this base class prints each one as a
    JSON line, as the legacy local messenger did."""

    def publish(self, message: Any, encoder: Any = None, final: bool = False) -> None:
        if encoder is None:
            from .codec import codec

            encoder = codec().encoder
        self.emit(json.dumps(message, cls=encoder), final=final)

    def emit(self, text: str, *, final: bool) -> None:
        print(text, flush=True)


class FrameMessenger(UserMessenger):
    """The job's messenger: every message goes to the harness as it is published."""

    def __init__(self, frames_fd: int) -> None:
        self.final_sent = False
        self._fd = frames_fd

    def emit(self, text: str, *, final: bool) -> None:
        frames.write_frame(self._fd, frames.RESULT if final else frames.INTERIM, text)
        self.final_sent = self.final_sent or final

    def encode(self, value: Any) -> str:
        """``value`` in the wire format of the environment's codec (a function's result)."""
        from .codec import codec

        return json.dumps(value, cls=codec().encoder)

    def status(self, status: str) -> None:
        """A function's sub-status, to the harness as it is set."""
        frames.control(self._fd, frames.STATUS, {"status": status})
