"""``UserMessenger``: how a program publishes interim results (and, legacy-style, its result)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from runtime_kit.serialization import RuntimeEncoder


class UserMessenger:
    """Publishes messages from a running program to whoever started it.

    This base class prints each message as one JSON line, as the legacy local messenger did;
    the harness and the service use subclasses that record or forward the encoded text.
    """

    def publish(
        self, message: Any, encoder: type[json.JSONEncoder] = RuntimeEncoder, final: bool = False
    ) -> None:
        """Publish ``message`` now.

        Args:
            message: any value ``encoder`` can encode.
            encoder: JSON encoder class (default ``RuntimeEncoder``).
            final: legacy programs publish their result with ``final=True`` instead of
                returning it; the message is then the job's result.

        Raises:
            EncodeError: the message cannot be encoded (with its path in the message).
        """
        self.emit(json.dumps(message, cls=encoder), final=final)

    def emit(self, text: str, *, final: bool) -> None:
        """Deliver one encoded message; subclasses override this, not ``publish``."""
        print(text, flush=True)


class RecordingMessenger(UserMessenger):
    """Keeps every published message (encoded text) in order, and the final one apart."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.final_message: str | None = None

    def emit(self, text: str, *, final: bool) -> None:
        if final:
            self.final_message = text
        else:
            self.messages.append(text)

    @property
    def call_count(self) -> int:
        """How many messages were published, the final one included (as legacy fakes counted)."""
        return len(self.messages) + (self.final_message is not None)


class ForwardingMessenger(UserMessenger):
    """Hands each encoded message to ``callback(text, final)`` as it is published."""

    def __init__(self, callback: Callable[[str, bool], None]) -> None:
        self._callback = callback

    def emit(self, text: str, *, final: bool) -> None:
        self._callback(text, final)
