"""The per-user local service: started in the background on first use, its data under the
user data directory, reached on 127.0.0.1 with a token only this user can read."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from runtime_kit.errors import ConfigurationError
from runtime_kit.files import write_atomically

START_TIMEOUT_S = 90


def local_dir() -> Path:
    override = os.environ.get("RUNTIME_KIT_LOCAL_DIR")
    if override:
        return Path(override)
    from platformdirs import user_data_dir

    return Path(user_data_dir("runtime-kit", appauthor=False)) / "local-service"


def status() -> dict[str, Any] | None:
    """``{"url", "pid", "data_dir"}`` of the running local service, or None."""
    state_file = local_dir() / "state.json"
    try:
        state = json.loads(state_file.read_text())
    except (OSError, ValueError):
        return None
    return state if _healthy(state.get("url", "")) else None


def ensure_running() -> tuple[str, str]:
    """The local service's (url, token), starting it if it is not running.  Calls at the
    same time (several commands at once) start one service: starting holds a lock."""
    with _start_lock():
        state = status() or _start()
    token_file = Path(state["data_dir"]) / "admin-token"
    return state["url"], token_file.read_text().strip()


def sign_in_url() -> str:
    """A one-time link (five minutes) that signs a browser in to the local service's web
    view as its admin, starting the service if it is not running."""
    from runtime_kit.client.http import ServiceHttp

    url, token = ensure_running()
    return url + str(ServiceHttp(url, token).json("POST", "/ui/sign-in-links")["path"])


@contextlib.contextmanager
def _start_lock() -> Iterator[None]:
    directory = local_dir()
    directory.mkdir(parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    fd = os.open(directory / "start.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise ConfigurationError(
                        f"another command has been starting the local service for over "
                        f"{START_TIMEOUT_S} s (lock {directory / 'start.lock'})"
                    ) from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)


def stop() -> bool:
    state = status()
    if state is None:
        return False
    with contextlib.suppress(ProcessLookupError):
        os.kill(state["pid"], signal.SIGTERM)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and _healthy(state["url"]):
        time.sleep(0.1)
    (local_dir() / "state.json").unlink(missing_ok=True)
    return True


def _start() -> dict[str, Any]:
    directory = local_dir()  # made (0700) by _start_lock
    data_dir = directory / "data"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k != "RUNTIME_KIT_ADMIN_TOKEN"}
    with open(directory / "service.log", "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "runtime_kit", "serve", "--port", str(port),
             "--data-dir", str(data_dir), "--sandbox", "prefer"],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env, start_new_session=True,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT_S
    while not _healthy(url):
        if process.poll() is not None or time.monotonic() > deadline:
            raise ConfigurationError(
                f"the local service did not start (log: {directory / 'service.log'})"
            )
        time.sleep(0.1)
    state = {"url": url, "pid": process.pid, "data_dir": str(data_dir)}
    write_atomically(directory / "state.json", json.dumps(state).encode(), mode=0o600)
    return state


def _healthy(url: str) -> bool:
    if not url:
        return False
    import httpx

    try:
        return httpx.get(f"{url}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False
