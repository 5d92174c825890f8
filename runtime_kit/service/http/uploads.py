"""Program uploads, streamed: the base64 ``data`` of a JSON body goes to the blob store as it
arrives, decoded and hashed on the way, and is never held whole in memory or parsed whole.

A 67 MB upload parsed by ``json.loads`` held the service's GIL for ~0.36 s and its memory
several times over.  Here the body is scanned as it arrives (``json_scanner``): the string
of its ``data`` member is decoded from base64 (``Base64Decoder``) into a ``StagedBlob``, its
kind found and checked as it passes (``ProgramDataCheck``: a zip bundle, or UTF-8 source
defining ``main()``), and everything else (name, cost, spec, ...) is kept, within
``MAX_FIELDS_BYTES``, and parsed once the body is whole.  The scanning runs in the thread
pool, a MiB at a time; the event loop only receives.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import pybase64
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from runtime_kit.errors import BundleError
from runtime_kit.service.core.blobs import StagedBlob, StagedData
from runtime_kit.service.core.bundles import ZIP_MAGIC, check_zip
from runtime_kit.service.http.api_errors import ApiError
from runtime_kit.service.http.bodies import body_chunks
from runtime_kit.service.http.json_scanner import WHITESPACE, ObjectScanner

#: The members of an upload other than ``data``, in all (their JSON text).
MAX_FIELDS_BYTES = 2 * 1024 * 1024
#: Raw body handed to the thread pool at once.
BATCH_BYTES = 1024 * 1024


#: A last check of uploaded data: ``(its file, its kind)``; raises ``ApiError`` to refuse.
DataCheck = Callable[[Path, str], None]


class Base64Decoder:
    """Standard base64 text, fed in pieces of any size (ASCII whitespace is ignored), to
    ``sink`` as bytes; padding only at the very end."""

    def __init__(self, sink: Callable[[bytes], None]) -> None:
        self._sink = sink
        self._carry = b""
        self._padded = False

    def feed(self, text: bytes) -> None:
        text = self._carry + text.translate(None, WHITESPACE)
        whole = len(text) - len(text) % 4
        self._carry = text[whole:]
        if whole:
            self._decode(text[:whole])

    def close(self) -> None:
        if self._carry:
            raise ApiError(400, "data is not valid base64 (its length is not a multiple of 4)")

    def _decode(self, text: bytes) -> None:
        if self._padded:
            raise ApiError(400, "data is not valid base64 (text after its padding)")
        self._padded = text.endswith(b"=")
        try:
            decoded = pybase64.b64decode(text, validate=True)
        except ValueError as exc:  # binascii.Error
            raise ApiError(400, f"data is not valid base64 ({exc})") from exc
        self._sink(decoded)


class ProgramDataCheck:
    """Decoded program data on its way to ``blob``: finds its kind from its first bytes and
    checks source as it passes (UTF-8, a ``def main(`` somewhere)."""

    def __init__(self, blob: StagedBlob) -> None:
        self.blob = blob
        self.kind: str | None = None
        self._head = b""
        self._utf8 = codecs.getincrementaldecoder("utf-8")()
        self._tail = ""
        self._has_main = False

    def write(self, data: bytes) -> None:
        if self.kind is None:
            self._head += data
            if len(self._head) < len(ZIP_MAGIC):
                return
            data, self._head = self._head, b""
            self.kind = "zip" if data.startswith(ZIP_MAGIC) else "source"
        if self.kind == "source":
            self._check_source(data, final=False)
        self.blob.write(data)

    def close(self) -> str:
        """The kind, once everything has been written (the data checked as source)."""
        if self.kind is None:
            self.kind = "source"
            self.blob.write(self._head)
            self._check_source(self._head, final=True)
        elif self.kind == "source":
            self._check_source(b"", final=True)
        if self.kind == "source" and not self._has_main:
            raise ApiError(400, "the program source defines no main()")
        return self.kind

    def _check_source(self, data: bytes, *, final: bool) -> None:
        try:
            text = self._utf8.decode(data, final)
        except UnicodeDecodeError as exc:
            raise ApiError(400, "data is neither a zip bundle nor UTF-8 program source") from exc
        if not self._has_main:
            window = self._tail + text
            self._has_main = "def main(" in window
            self._tail = window[-8:]


class Upload(NamedTuple):
    """An upload read: its members other than ``data``, and its data (None: no ``data``
    string), or why the data was refused (raised by ``checked_data``, once the caller has
    checked the other members: their errors come first, as when the body was parsed whole).
    """

    fields: dict[str, Any]
    data: StagedData | None
    data_error: ApiError | None = None

    def checked_data(self) -> StagedData | None:
        if self.data_error is not None:
            raise self.data_error
        return self.data


class _Reading:
    """One streamed upload: raw body in, a staged blob and the other fields out."""

    def __init__(self, blob: StagedBlob, *, in_json: bool, accept: DataCheck | None) -> None:
        self.accept = accept
        self.check = ProgramDataCheck(blob)
        self.base64 = Base64Decoder(self.check.write)
        self.scanner = ObjectScanner("data", self._data, MAX_FIELDS_BYTES) if in_json else None
        self.data_error: ApiError | None = None

    def feed(self, raw: bytes) -> None:
        if self.scanner is not None:
            self.scanner.feed(raw)
        else:
            self._data(raw)

    def _data(self, text: bytes) -> None:
        if self.data_error is not None:
            return  # refused already: the rest of the body is only scanned
        try:
            self.base64.feed(text)
        except ApiError as exc:
            self.data_error = exc

    def close(self) -> Upload:
        from runtime_kit.service.http.api import parse_json_object

        fields: dict[str, Any] = {}
        if self.scanner is not None:
            self.scanner.close()
            fields = parse_json_object(bytes(self.scanner.rest))
            if not self.scanner.found:
                return Upload(fields, None)
        if self.data_error is not None:
            return Upload(fields, None, self.data_error)
        try:
            return Upload(fields, self._finish())
        except ApiError as exc:
            return Upload(fields, None, exc)

    def _finish(self) -> StagedData:
        self.base64.close()
        kind = self.check.close()
        blob = self.check.blob
        if kind == "zip":
            try:
                check_zip(blob.seal())
            except BundleError as exc:
                raise ApiError(exc.status, str(exc)) from exc
        if self.accept is not None:
            self.accept(blob.seal(), kind)
        return StagedData(blob.keep(), kind, blob.size)


async def read_upload(
    request: Request,
    blob: StagedBlob,
    *,
    limit: int,
    stall_s: float,
    in_json: bool = True,
    accept: DataCheck | None = None,
) -> Upload:
    """Read ``request``'s body: a JSON object whose ``data`` (base64) is streamed into
    ``blob`` (``in_json``), or the base64 text alone.  ``accept(path, kind)`` checks the
    whole data (its file) before it is kept, raising ``ApiError`` to refuse it.

    Raises:
        ApiError: 400 malformed JSON, 413 over ``limit``, 408 a body that stopped arriving
            (the data's own errors are in the ``Upload``).
    """
    reading = _Reading(blob, in_json=in_json, accept=accept)
    batch = bytearray()
    async for chunk in body_chunks(request, limit, stall_s=stall_s):
        batch += chunk
        if len(batch) >= BATCH_BYTES:
            await run_in_threadpool(reading.feed, bytes(batch))
            batch.clear()
    if batch:
        await run_in_threadpool(reading.feed, bytes(batch))
    return await run_in_threadpool(reading.close)
