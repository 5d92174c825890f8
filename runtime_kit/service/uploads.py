"""Program uploads, streamed: the base64 ``data`` of a JSON body goes to the blob store as it
arrives, decoded and hashed on the way, and is never held whole in memory or parsed whole.

A 67 MB upload parsed by ``json.loads`` held the service's GIL for ~0.36 s and its memory
several times over.  Here the body is scanned as it arrives (``ObjectScanner``): the string
of its ``data`` member is decoded from base64 (``Base64Decoder``) into a ``StagedBlob``, its
kind found and checked as it passes (``ProgramDataCheck``: a zip bundle, or UTF-8 source
defining ``main()``), and everything else (name, cost, spec, ...) is kept, within
``MAX_FIELDS_BYTES``, and parsed once the body is whole.  The scanning runs in the thread
pool, a MiB at a time; the event loop only receives.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import pybase64
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from runtime_kit.errors import BundleError
from runtime_kit.service.api_errors import ApiError
from runtime_kit.service.blobs import StagedBlob
from runtime_kit.service.bodies import body_chunks
from runtime_kit.service.bundles import ZIP_MAGIC, check_zip

#: The members of an upload other than ``data``, in all (their JSON text).
MAX_FIELDS_BYTES = 2 * 1024 * 1024
#: Raw body handed to the thread pool at once.
BATCH_BYTES = 1024 * 1024
_MAX_KEY_BYTES = 1024
_WHITESPACE = b" \t\r\n"
_SIMPLE_ESCAPES = {
    ord("/"): b"/", ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t",
    ord('"'): b'"', ord("\\"): b"\\", ord("b"): b"\b", ord("f"): b"\f",
}  # fmt: skip
_IN_VALUE = re.compile(rb'["{}\[\],]')


#: A last check of uploaded data: ``(its file, its kind)``; raises ``ApiError`` to refuse.
DataCheck = Callable[[Path, str], None]


class StagedData(NamedTuple):
    """Program data stored as a blob (not yet referred to by any row)."""

    digest: str
    kind: str  # "source" or "zip"
    size: int


class Base64Decoder:
    """Standard base64 text, fed in pieces of any size (ASCII whitespace is ignored), to
    ``sink`` as bytes; padding only at the very end."""

    def __init__(self, sink: Callable[[bytes], None]) -> None:
        self._sink = sink
        self._carry = b""
        self._padded = False

    def feed(self, text: bytes) -> None:
        text = self._carry + text.translate(None, _WHITESPACE)
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


class ObjectScanner:
    """A JSON object body fed in pieces: the string value of member ``streamed`` goes to
    ``on_string`` as raw JSON string content (escapes resolved), everything else is kept
    (``rest``: the object with ``null`` in its place), at most ``max_rest`` bytes.

    Only the object's own structure is followed (keys, the streamed string, where each
    other value ends); the kept text is parsed, strictly, once the body is whole.
    """

    def __init__(self, streamed: str, on_string: Callable[[bytes], None], max_rest: int) -> None:
        self.streamed = streamed
        self.on_string = on_string
        self.max_rest = max_rest
        self.rest = bytearray()
        self.found = False
        self._state = "start"
        self._key = bytearray()
        self._depth = 0
        self._in_string = False
        self._escape = b""  # an escape of the streamed string cut by a piece's end

    def feed(self, data: bytes) -> None:
        at = 0
        while at < len(data):
            at = getattr(self, f"_on_{self._state}")(data, at)
        if len(self.rest) > self.max_rest:
            raise ApiError(413, f"the fields other than data are over {self.max_rest} bytes")

    def close(self) -> None:
        if self._state != "end":
            raise ApiError(400, "malformed JSON body (it ends before its object does)")

    # --- states: each takes the data and a position, and returns where it stopped ------

    def _on_start(self, data: bytes, at: int) -> int:
        at = self._skip_space(data, at)
        if at < len(data):
            if data[at] != ord("{"):
                raise ApiError(400, "the JSON body must be an object")
            self._keep(data[at : at + 1])
            self._state = "key"
            at += 1
        return at

    def _on_key(self, data: bytes, at: int) -> int:
        at = self._skip_space(data, at)
        if at < len(data):
            byte = data[at]
            if byte == ord("}"):
                self._state = "end"
            elif byte == ord('"'):
                self._key.clear()
                self._state = "key_text"
            elif byte != ord(","):
                raise ApiError(400, "malformed JSON body (expected a member name)")
            self._keep(data[at : at + 1])
            at += 1
        return at

    def _on_key_text(self, data: bytes, at: int) -> int:
        stop = self._string_end(data, at)
        self._key += data[at:stop]
        if len(self._key) > _MAX_KEY_BYTES:
            raise ApiError(400, f"malformed JSON body (a member name over {_MAX_KEY_BYTES} bytes)")
        self._keep(data[at:stop])
        if stop < len(data):  # the closing quote
            self._keep(b'"')
            self._state = "colon"
            return stop + 1
        return stop

    def _on_colon(self, data: bytes, at: int) -> int:
        at = self._skip_space(data, at)
        if at < len(data):
            if data[at] != ord(":"):
                raise ApiError(400, "malformed JSON body (expected a colon)")
            self._keep(b":")
            self._state = "value"
            at += 1
        return at

    def _on_value(self, data: bytes, at: int) -> int:
        at = self._skip_space(data, at)
        if at < len(data):
            if data[at] == ord('"') and self._key_is_streamed():
                if self.found:
                    raise ApiError(400, f"{self.streamed} is given twice")
                self.found = True
                self._keep(b"null")
                self._state = "streamed"
                return at + 1
            self._depth, self._in_string = 0, False
            self._state = "other"
        return at

    def _on_streamed(self, data: bytes, at: int) -> int:
        if self._escape:
            return self._finish_escape(data, at)
        stop = _quote_or_backslash(data, at)
        if stop > at:
            self.on_string(data[at:stop])
        if stop == len(data):
            return stop
        if data[stop] == ord('"'):
            self._state = "after"
            return stop + 1
        self._escape = b"\\"
        return stop + 1

    def _finish_escape(self, data: bytes, at: int) -> int:
        needed = 6 if (self._escape + data[at : at + 2])[1:2] == b"u" else 2
        take = needed - len(self._escape)
        self._escape += data[at : at + take]
        at += min(take, len(data) - at)
        if len(self._escape) < needed:
            return at
        escape, self._escape = self._escape, b""
        if needed == 6:
            try:
                self.on_string(chr(int(escape[2:], 16)).encode())
            except ValueError as exc:
                raise ApiError(400, "malformed JSON body (a bad \\u escape in data)") from exc
        elif escape[1] in _SIMPLE_ESCAPES:
            self.on_string(_SIMPLE_ESCAPES[escape[1]])
        else:
            raise ApiError(400, "malformed JSON body (a bad escape in data)")
        return at

    def _on_after(self, data: bytes, at: int) -> int:
        at = self._skip_space(data, at)
        if at < len(data):
            byte = data[at]
            if byte not in (ord(","), ord("}")):
                raise ApiError(400, "malformed JSON body (expected , or } after data)")
            self._keep(data[at : at + 1])
            self._state = "key" if byte == ord(",") else "end"
            at += 1
        return at

    def _on_other(self, data: bytes, at: int) -> int:
        """Inside a value that is kept: until the ``,`` or ``}`` that ends it."""
        while at < len(data):
            if self._in_string:
                stop = self._string_end(data, at)
                self._keep(data[at:stop])
                if stop == len(data):
                    return stop
                self._keep(b'"')
                self._in_string = False
                at = stop + 1
                continue
            match = _IN_VALUE.search(data, at)
            if match is None:
                self._keep(data[at:])
                return len(data)
            stop = match.start()
            self._keep(data[at : stop + 1])
            at = stop + 1
            byte = data[stop]
            if byte == ord('"'):
                self._in_string = True
            elif byte in (ord("{"), ord("[")):
                self._depth += 1
            elif self._depth and byte in (ord("}"), ord("]")):
                self._depth -= 1
            elif not self._depth and byte == ord(","):
                self._state = "key"
                return at
            elif not self._depth and byte == ord("}"):
                self._state = "end"
                return at
        return at

    def _on_end(self, data: bytes, at: int) -> int:
        if data[at:].strip(_WHITESPACE):
            raise ApiError(400, "malformed JSON body (text after its object)")
        return len(data)

    # --- helpers -----------------------------------------------------------------------

    def _string_end(self, data: bytes, at: int) -> int:
        """Where the string being read ends (its closing quote) in ``data`` from ``at``, or
        ``len(data)``; escapes are skipped (one cut by the end is carried over)."""
        if self._escape:
            self._escape = b""
            at += 1
        while True:
            found = _quote_or_backslash(data, at)
            if found == len(data) or data[found] == ord('"'):
                return found
            if found + 1 >= len(data):
                self._escape = b"\\"
                return len(data)
            at = found + 2

    def _key_is_streamed(self) -> bool:
        try:
            return bool(json.loads(b'"' + bytes(self._key) + b'"') == self.streamed)
        except ValueError:
            return False

    def _skip_space(self, data: bytes, at: int) -> int:
        while at < len(data) and data[at] in _WHITESPACE:
            at += 1
        return at

    def _keep(self, text: bytes) -> None:
        self.rest += text


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


def _quote_or_backslash(data: bytes, at: int) -> int:
    """Where the next ``"`` or ``\\`` of ``data`` is, from ``at`` (``len(data)``: none).
    Two ``find`` (memchr, GB/s) rather than a regular expression (~100x slower on the MiB of
    base64 a piece holds)."""
    quote = data.find(b'"', at)
    backslash = data.find(b"\\", at, len(data) if quote < 0 else quote)
    if backslash >= 0:
        return backslash
    return len(data) if quote < 0 else quote


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
        from runtime_kit.service.api import parse_json_object

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
