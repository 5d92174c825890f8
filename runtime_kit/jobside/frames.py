"""Frames to the harness: ``KIND LENGTH\\n`` + payload, as ``runtime_kit.harness.frames``
writes them (a test keeps the two in step)."""

from __future__ import annotations

import json
import os
from typing import Any

INTERIM = "interim"
RESULT = "result"
STARTED = "started"
REJECTED = "rejected"
FAILED = "failed"
#: A function's sub-status (``update_status``), a JSON object ``{"status": ...}``.
STATUS = "status"


def write_frame(fd: int, kind: str, payload: str) -> None:
    data = payload.encode()
    view = memoryview(f"{kind} {len(data)}\n".encode() + data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def control(fd: int, kind: str, payload: Any) -> None:
    write_frame(fd, kind, json.dumps(payload))
