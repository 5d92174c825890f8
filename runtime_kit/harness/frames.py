"""Frames on the pipe from a program's process to the harness: ``KIND LENGTH\\n`` + payload.

The program's stdout and stderr are its logs, so messages travel on a pipe of their own.
Payloads are UTF-8 text (wire-format JSON, or a JSON object for control frames).

The job writes the pipe, so the reader trusts nothing in it: a header is read up to
``MAX_HEADER_BYTES``; a frame whose header declares more than the reader's cap is refused
from its header (``OVERSIZED``, and the stream ends), never allocated; a payload is read in
bounded chunks into a buffer of the size declared (which is then at most the cap).
"""

from __future__ import annotations

import io
import json
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
#: Made by the reader, never sent: a frame declared larger than the cap (``{"kind",
#: "bytes"}``), or a header that is not one (``{"header"}``); nothing follows either.
OVERSIZED = "oversized"
MALFORMED = "malformed"

KINDS = {INTERIM, RESULT, STARTED, REJECTED, FAILED, STATUS, BROKER}
#: ``result 18446744073709551615\n`` fits with room to spare.
MAX_HEADER_BYTES = 64
#: The most the reader asks the pipe for at once.
CHUNK_BYTES = 1024 * 1024
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


def read_frames(fd: int, max_payload_bytes: int | None = None) -> Iterator[tuple[str, str]]:
    """Frames until the writer closes the pipe.  A frame over ``max_payload_bytes`` (None:
    no cap) or a malformed header yields one ``OVERSIZED`` or ``MALFORMED`` frame and ends
    the stream; a torn frame (the writer gone mid-frame) just ends it."""
    with os.fdopen(fd, "rb") as pipe:
        while True:
            header = pipe.readline(MAX_HEADER_BYTES)
            if not header:
                return
            if not header.endswith(b"\n"):
                if len(header) >= MAX_HEADER_BYTES:
                    yield MALFORMED, json.dumps({"header": _shown(header)})
                return
            kind, _, size_text = header.decode("ascii", "replace").strip().partition(" ")
            if kind not in KINDS or not (size_text.isascii() and size_text.isdigit()):
                yield MALFORMED, json.dumps({"header": _shown(header)})
                return
            size = int(size_text)
            if max_payload_bytes is not None and size > max_payload_bytes:
                yield OVERSIZED, json.dumps({"kind": kind, "bytes": size})
                return
            payload = _read_exactly(pipe, size)
            if payload is None:
                return
            yield kind, payload.decode("utf-8", "replace")


def refusal(kind: str, payload: str, max_payload_bytes: int | None) -> str:
    """What an ``OVERSIZED`` or ``MALFORMED`` frame says, as a job's failure reason."""
    details = json.loads(payload)
    if kind == OVERSIZED:
        what = {INTERIM: "an interim result", RESULT: "the result"}.get(
            details["kind"], f"a {details['kind']} frame"
        )
        return f"message size ({what} of {details['bytes']} bytes; at most {max_payload_bytes})"
    return f"malformed frame on the harness pipe (header {details['header']!r})"


def _read_exactly(pipe: io.BufferedReader, size: int) -> bytearray | None:
    """``size`` bytes from ``pipe``, read in chunks of at most ``CHUNK_BYTES``; None if the
    pipe ends first."""
    buffer = bytearray(size)
    view = memoryview(buffer)
    filled = 0
    while filled < size:
        got = pipe.readinto(view[filled : filled + CHUNK_BYTES])
        if not got:
            return None
        filled += got
    view.release()
    return buffer


def _shown(header: bytes) -> str:
    return header[:MAX_HEADER_BYTES].decode("ascii", "replace").strip()
