"""The only way out of an environment's build sandbox: ``IndexProxy``, an HTTP proxy that
reaches the package index's hosts and nothing else.

A build runs in a network namespace of its own (only its loopback), so neither uv nor a
package's build code (an sdist's ``setup.py``, a PEP 517 backend) can open a connection to
anything.  The proxy listens on a unix socket shown to the sandbox; inside, ``relay`` (run
by the sandbox before uv) listens on the sandbox's loopback and carries each connection to
that socket, and uv is told to use it (``HTTP(S)_PROXY``).  The proxy takes ``CONNECT
host:port`` (https) and absolute-URL requests (``GET http://host:port/...``, an http index)
for the allowed ``(host, port)`` pairs only; anything else gets a 403 saying why.
"""

from __future__ import annotations

import contextlib
import os
import select
import shutil
import socket
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

#: Where PyPI serves its index and its files.
PYPI_HOSTS = frozenset({("pypi.org", 443), ("files.pythonhosted.org", 443)})
_HEAD_LIMIT = 64 * 1024
_IDLE_S = 300.0
_CONNECT_TIMEOUT_S = 30.0
_HOP_HEADERS = (b"connection", b"keep-alive", b"proxy-connection", b"proxy-authorization")


def index_hosts(index_url: str | None, extra: Iterable[str] = ()) -> frozenset[tuple[str, int]]:
    """The ``(host, port)`` pairs a build may reach: PyPI's (no index named), or the index
    URL's host, and the operator's ``extra`` ones (``host`` or ``host:port``, https's port by
    default); none for a ``file://`` index (a directory, shown to the build instead)."""
    found: set[tuple[str, int]] = set()
    if index_url is None:
        found |= PYPI_HOSTS
    else:
        parts = urlsplit(index_url)
        if parts.scheme in ("http", "https") and parts.hostname:
            found.add((parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)))
    for text in extra:
        host, _, port = text.rpartition(":") if ":" in text else (text, "", "443")
        found.add((host.strip("[]").lower(), int(port)))
    return frozenset(found)


class IndexProxy:
    """The proxy of one uv command of a build: ``with IndexProxy(allowed) as socket_path``."""

    def __init__(self, allowed: frozenset[tuple[str, int]]) -> None:
        self.allowed = frozenset((host.lower(), port) for host, port in allowed)
        self.refused: list[str] = []  # what the build asked for and did not get
        self._directory: Path | None = None
        self._listener: socket.socket | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Path:
        # A unix socket's path has at most 107 bytes: a short directory of the host's /tmp.
        self._directory = Path(tempfile.mkdtemp(prefix="rk-index-"))
        path = self._directory / "proxy.sock"
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._listener.bind(str(path))
        os.chmod(path, 0o666)  # the build runs as another user inside its namespace
        self._listener.listen(64)
        self._thread = threading.Thread(target=self._accept, daemon=True, name="index-proxy")
        self._thread.start()
        return path

    def __exit__(self, *exc: object) -> None:
        assert self._listener is not None and self._directory is not None
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        shutil.rmtree(self._directory, ignore_errors=True)

    def _accept(self) -> None:
        assert self._listener is not None
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # closed: the command ended
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        with client:
            client.settimeout(_IDLE_S)
            try:
                head, rest = _read_head(client)
                method, target, version, headers = _parse_head(head)
            except (OSError, ValueError):
                return
            if method == b"CONNECT":
                host, port = _host_port(target.decode("latin-1"), default=443)
            else:
                parts = urlsplit(target.decode("latin-1"))
                if parts.scheme != "http" or not parts.hostname:
                    self._refuse(client, target.decode("latin-1", "replace"))
                    return
                host, port = parts.hostname.lower(), parts.port or 80
            if (host, port) not in self.allowed:
                self._refuse(client, f"{host}:{port}")
                return
            try:
                upstream = socket.create_connection((host, port), timeout=_CONNECT_TIMEOUT_S)
            except OSError as exc:
                _reply(client, b"502 Bad Gateway", f"cannot reach {host}:{port}: {exc}\n")
                return
            with upstream:
                upstream.settimeout(_IDLE_S)
                if method == b"CONNECT":
                    client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                    upstream.sendall(rest)
                else:
                    upstream.sendall(_origin_form(method, target, version, headers) + rest)
                _pipe(client, upstream)

    def _refuse(self, client: socket.socket, what: str) -> None:
        self.refused.append(what)
        message = (
            f"{what} is not the package index: an environment's build reaches only the "
            "index (runtime-kit)\n"
        )
        with contextlib.suppress(OSError):
            _reply(client, b"403 Forbidden", message)


def _read_head(client: socket.socket) -> tuple[bytes, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = client.recv(4096)
        if not chunk:
            raise ValueError("the connection closed before its request")
        data += chunk
        if len(data) > _HEAD_LIMIT:
            raise ValueError("request head too long")
    head, _, rest = data.partition(b"\r\n\r\n")
    return head, rest


def _parse_head(head: bytes) -> tuple[bytes, bytes, bytes, list[tuple[bytes, bytes]]]:
    lines = head.split(b"\r\n")
    method, target, version = lines[0].split(b" ", 2)
    headers = []
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        headers.append((name.strip(), value.strip()))
    return method.upper(), target, version, headers


def _host_port(text: str, *, default: int) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    if not host:
        return text.lower(), default
    try:
        return host.strip("[]").lower(), int(port)
    except ValueError:
        return text.lower(), default


def _origin_form(
    method: bytes, target: bytes, version: bytes, headers: list[tuple[bytes, bytes]]
) -> bytes:
    """The request as the origin server takes it: its path, one request per connection."""
    parts = urlsplit(target.decode("latin-1"))
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    lines = [method + b" " + path.encode("latin-1") + b" " + version]
    lines += [name + b": " + value for name, value in headers if name.lower() not in _HOP_HEADERS]
    lines.append(b"Connection: close")
    return b"\r\n".join(lines) + b"\r\n\r\n"


def _reply(client: socket.socket, status: bytes, text: str) -> None:
    body = text.encode()
    client.sendall(
        b"HTTP/1.1 " + status + b"\r\nContent-Type: text/plain\r\nConnection: close\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
    )


def _pipe(first: socket.socket, second: socket.socket) -> None:
    """Carry bytes both ways until both sides have finished (one side's end is passed on as
    a half-close) or nothing moved for too long."""
    peers = {first: second, second: first}
    open_ends = [first, second]
    while open_ends:
        ready, _, _ = select.select(open_ends, [], [], _IDLE_S)
        if not ready:
            return
        for source in ready:
            try:
                data = source.recv(65536)
            except OSError:
                return
            target = peers[source]
            try:
                if data:
                    target.sendall(data)
                    continue
                target.shutdown(socket.SHUT_WR)
            except OSError:
                return
            open_ends.remove(source)
