"""A package index of the test's own: a simple index (PEP 503) served over http on 127.0.0.1,
holding source distributions made here, and a listener that stands for "some other host"."""

from __future__ import annotations

import hashlib
import io
import socket
import tarfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

#: An in-tree PEP 517 backend (no build requirements: nothing else is fetched) whose wheel
#: holds ``probe_build/report.json``: what its code saw and could do while it was built.
#: ``{probes}`` is the code that fills ``report``; ``{fail}`` raises after probing.
BACKEND = """
import base64, hashlib, json, os, socket, zipfile

NAME, VERSION = "probe_build", {version!r}
DIST_INFO = f"{{NAME}}-{{VERSION}}.dist-info"
METADATA = f"Metadata-Version: 2.1\\nName: probe-build\\nVersion: {{VERSION}}\\n"
WHEEL = "Wheel-Version: 1.0\\nGenerator: probe\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"


def probe():
    report = {{}}
{probes}
    return report


def get_requires_for_build_wheel(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    os.makedirs(os.path.join(metadata_directory, DIST_INFO))
    with open(os.path.join(metadata_directory, DIST_INFO, "METADATA"), "w") as out:
        out.write(METADATA)
    return DIST_INFO


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    report = probe()
    if {fail!r}:
        raise SystemExit("probe-build refuses to build: " + json.dumps(report, sort_keys=True))
    files = {{
        f"{{NAME}}/__init__.py": "import json, os\\nREPORT = json.load(open(os.path.join("
        "os.path.dirname(__file__), 'report.json')))\\n",
        f"{{NAME}}/report.json": json.dumps(report),
        f"{{DIST_INFO}}/METADATA": METADATA,
        f"{{DIST_INFO}}/WHEEL": WHEEL,
    }}
    record = []
    for path, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=")
        record.append(f"{{path}},sha256={{digest.decode()}},{{len(text.encode())}}")
    record.append(f"{{DIST_INFO}}/RECORD,,")
    files[f"{{DIST_INFO}}/RECORD"] = "\\n".join(record) + "\\n"
    name = f"{{NAME}}-{{VERSION}}-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w") as wheel:
        for path, text in files.items():
            wheel.writestr(path, text)
    return name
"""


def sdist(version: str, probes: str, *, fail: bool = False, compression: str = "gz") -> bytes:
    """``probe_build-VERSION.tar.gz`` (or ``.tar.COMPRESSION``): the backend above, ``probes``
    its body's code."""
    root = f"probe-build-{version}" if compression != "gz" else f"probe_build-{version}"
    files = {
        "pyproject.toml": '[build-system]\nrequires = []\nbuild-backend = "probe_backend"\n'
        'backend-path = ["."]\n\n[project]\nname = "probe-build"\n'
        f'version = "{version}"\n',
        "probe_backend.py": BACKEND.format(version=version, probes=probes, fail=fail),
        "PKG-INFO": f"Metadata-Version: 2.1\nName: probe-build\nVersion: {version}\n",
    }
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=f"w:{compression}") as archive:
        for name, text in files.items():
            data = text.encode()
            entry = tarfile.TarInfo(f"{root}/{name}")
            entry.size = len(data)
            archive.addfile(entry, io.BytesIO(data))
    return buffer.getvalue()


class LocalIndex:
    """``files``: file name -> bytes, all of project ``probe-build``; ``requests``: the
    paths asked for."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files
        self.requests: list[str] = []
        self.port = 0
        self.lie_about_digests = False  # the page gives a sha256 the files do not have

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/simple"

    def page(self, path: str) -> bytes | None:
        if path in ("/simple/", "/simple"):
            return b'<html><body><a href="/simple/probe-build/">probe-build</a></body></html>'
        if path == "/simple/probe-build/":
            links = "".join(
                f'<a href="/files/{name}#sha256={self._digest(data)}">{name}</a>'
                for name, data in self.files.items()
            )
            return f"<html><body>{links}</body></html>".encode()
        if path.startswith("/files/"):
            return self.files.get(path[len("/files/") :])
        return None

    def write_directory(self, root: Path) -> str:
        """The index as a directory, each project's files beside its page
        (``root/simple/probe-build/index.html``); its ``file://`` URL."""
        project = root / "simple" / "probe-build"
        project.mkdir(parents=True, exist_ok=True)
        (root / "simple" / "index.html").write_bytes(self.page("/simple/") or b"")
        page = (self.page("/simple/probe-build/") or b"").replace(b'href="/files/', b'href="')
        (project / "index.html").write_bytes(page)
        for name, data in self.files.items():
            (project / name).write_bytes(data)
        return f"{(root / 'simple').as_uri()}"

    def _digest(self, data: bytes) -> str:
        return "0" * 64 if self.lie_about_digests else hashlib.sha256(data).hexdigest()

    @contextmanager
    def serving(self) -> Iterator[LocalIndex]:
        index = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                index.requests.append(self.path)
                body = index.page(self.path)
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                kind = (
                    "text/html" if self.path.startswith("/simple") else "application/octet-stream"
                )
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = server.server_address[1]
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=10)


class OtherHost:
    """A listener on 127.0.0.1 that counts who connected: no build may reach it."""

    def __init__(self) -> None:
        self.connections = 0
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(8)
        self._socket.settimeout(0.2)
        self.port = self._socket.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        self._socket.close()
