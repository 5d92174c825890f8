"""``runtime-kit serve`` in a subprocess on 127.0.0.1, for tests and benchmarks."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

import httpx

START_TIMEOUT_S = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RealServer:
    """``runtime-kit serve`` in a subprocess on 127.0.0.1, restartable on the same data."""

    def __init__(
        self,
        data_dir: Path,
        *extra: str,
        ca_file: Path | None = None,
        open_files: int | None = None,
        host: str = "127.0.0.1",
    ) -> None:
        """``ca_file``: the CA of the certificate given in ``extra`` (``--tls-cert``): the
        service is then https and wss, and the client side trusts that CA.  ``open_files``:
        its soft and hard limit on open files (default: this process's).  ``host``: a
        loopback address to listen on (127.0.0.2: one that clients do not treat as local,
        e.g. websocket-client, which bypasses proxies for localhost and 127.0.0.1)."""
        self.data_dir = data_dir
        self.extra = (*extra, "--host", host) if host != "127.0.0.1" else extra
        self.port = free_port()
        self.ca_file = ca_file
        self.open_files = open_files
        secure = "s" if ca_file is not None else ""
        self.url = f"http{secure}://{host}:{self.port}"
        self.ws_url = f"ws{secure}://{host}:{self.port}"
        self.token = "rk_test_" + secrets.token_urlsafe(24)  # strong: serve refuses weak ones
        self.process: subprocess.Popen[bytes] | None = None
        # stderr goes to a file: a pipe nobody reads fills up with request log lines (64 KiB)
        # and then blocks the server
        self.stderr_path = data_dir.parent / f"serve-{self.port}.stderr"
        self._stderr: IO[bytes] | None = None

    def start(self) -> RealServer:
        command = [
            str(Path(sys.executable).with_name("runtime-kit")), "serve", "--port", str(self.port),
            "--data-dir", str(self.data_dir), *self.extra,
        ]  # fmt: skip
        if self.open_files is not None:  # util-linux's prlimit: no preexec_fn in a threaded test
            command = ["prlimit", f"--nofile={self.open_files}:{self.open_files}", *command]
        env = {**os.environ, "RUNTIME_KIT_ADMIN_TOKEN": self.token}
        self._stderr = self.stderr_path.open("wb")
        self.process = subprocess.Popen(
            command,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=self._stderr,
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"serve exited: {self._stderr_text()}")
            try:
                health = httpx.get(f"{self.url}/health", timeout=1, verify=self._verify())
                if health.status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.05)
        # Not left running (it would hold its port, its Ray workers...), and said with its stderr.
        raise AssertionError(f"serve did not start in time: {self.stop()[-2000:]}")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)
        self._stderr_text()

    def stop(self) -> str:
        """Stop it (SIGTERM); returns what it wrote on stderr."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self._stderr_text()

    def _stderr_text(self) -> str:
        """What this run wrote on stderr (its file closed once the run has ended)."""
        if self._stderr is None:
            return ""
        if self.process is not None and self.process.poll() is not None:
            self._stderr.close()
            self._stderr = None
        return self.stderr_path.read_bytes().decode(errors="replace")

    def http(self, token: str | None = None) -> httpx.Client:
        return httpx.Client(
            base_url=self.url,
            headers={"X-Access-Token": token or self.token},
            timeout=30,
            verify=self._verify(),
        )

    def _verify(self) -> ssl.SSLContext | bool:
        return True if self.ca_file is None else ssl.create_default_context(cafile=self.ca_file)
