"""Frames on the pipe from a program's process to the harness: ``KIND LENGTH\\n`` + payload.

The program's stdout and stderr are its logs, so messages travel on a pipe of their own.
Payloads are UTF-8 text (wire-format JSON, or a JSON object for control frames).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator

#: Interim result published by the program (wire-format JSON).
INTERIM = "interim"
#: The job's result (wire-format JSON): returned by main() or published with final=True.
RESULT = "result"
#: Control frames, JSON objects: the backend is ready / the job cannot start / main() failed.
STARTED = "started"
REJECTED = "rejected"
FAILED = "failed"
#: A Qiskit Function's sub-status (``qiskit_serverless.update_status``): ``{"status": ...}``.
STATUS = "status"
#: A request to the job's broker, a JSON object (``runtime_kit.harness.broker``): answered
#: on the process's stdin, never seen by the service's records.
BROKER = "broker"

KINDS = {INTERIM, RESULT, STARTED, REJECTED, FAILED, STATUS, BROKER}
_writing = threading.Lock()


def write_frame(fd: int, kind: str, payload: str) -> None:
    """Write one frame whole (threads of one process take turns: a frame is never torn)."""
    data = payload.encode()
    frame = f"{kind} {len(data)}\n".encode() + data
    view = memoryview(frame)
    with _writing:
        while view:
            written = os.write(fd, view)
            view = view[written:]


def read_frames(fd: int) -> Iterator[tuple[str, str]]:
    """Frames until the writer closes the pipe; a torn or malformed frame ends the stream."""
    with os.fdopen(fd, "rb") as pipe:
        while True:
            header = pipe.readline()
            if not header.endswith(b"\n"):
                return
            kind, _, size = header.decode("ascii", "replace").strip().partition(" ")
            if kind not in KINDS or not size.isdigit():
                return
            payload = pipe.read(int(size))
            if len(payload) != int(size):
                return
            yield kind, payload.decode()
