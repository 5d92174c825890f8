"""A local Ray cluster on 127.0.0.1 for tests and benchmarks: ``LocalRayCluster``.

The head (and any extra node) runs from this venv's ``ray`` command on free ports, with a
temp directory of its own (short: Ray's socket paths must fit 107 bytes), and with
``RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0`` so that every address it hands out stays on loopback
(without it, Ray rewrites ``127.0.0.1`` to the machine's interface address).  Token
authentication is on, with a token of the cluster's own: the drivers (``runtime-kit serve``)
get it from ``env``, as an operator would give it to them.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.service.real_server import free_port

START_TIMEOUT_S = 120
LOOPBACK = "127.0.0.1"
READY = "Ray runtime started"
#: The object store holds bundles and results in flight: a little is plenty (default: 30 %
#: of the memory, in /dev/shm).
OBJECT_STORE_BYTES = 256 * 1024 * 1024


def ray_command() -> str:
    return str(Path(sys.executable).with_name("ray"))


class LocalRayCluster:
    """``start()`` a head node on free ports of ``host`` (loopback by default); ``env`` is
    what a driver needs (address, token, and on loopback the setting that keeps it there);
    ``add_node()`` joins another node; ``stop()`` ends every node and removes the temp dir.

    A cluster on another address than loopback (in network namespaces of a test's own) can
    have several nodes: ``RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0`` refuses a second one."""

    def __init__(self, *, num_cpus: int = 2, dashboard: bool = False, host: str = LOOPBACK) -> None:
        self.num_cpus = num_cpus
        self.dashboard = dashboard
        self.host = host
        self.temp_dir = Path(tempfile.mkdtemp(prefix="rk-ray-", dir="/tmp"))
        self.port = free_port()
        self.address = f"{host}:{self.port}"
        self.dashboard_port = free_port()
        self.token = secrets.token_hex(16)
        self.env = {
            "RAY_ADDRESS": self.address,
            "RAY_AUTH_MODE": "token",
            "RAY_AUTH_TOKEN": self.token,
            "RAY_USAGE_STATS_ENABLED": "0",
        }
        if host == LOOPBACK:
            self.env["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"
        self._nodes: list[subprocess.Popen[str]] = []

    @property
    def dashboard_url(self) -> str:
        return f"http://{self.host}:{self.dashboard_port}"

    def add_node(self, host: str, *, num_cpus: int, prefix: list[str]) -> None:
        """Join a worker node at ``host``, started with ``prefix`` (e.g. ``ip netns exec``)."""
        temp_dir = self.temp_dir / f"n{len(self._nodes)}"
        temp_dir.mkdir()
        command = [
            *prefix, ray_command(), "start", "--block", "--address", self.address,
            "--node-ip-address", host, "--temp-dir", str(temp_dir),
            "--num-cpus", str(num_cpus), "--disable-usage-stats",
            "--object-store-memory", str(OBJECT_STORE_BYTES), *self._ports(),
        ]  # fmt: skip
        self._start_node(command)

    def stop_node(self, number: int) -> None:
        """End node ``number`` (0: the head; then in the order added) at once, as a lost
        machine: every process of it is killed."""
        os.killpg(self._nodes[number].pid, signal.SIGKILL)
        self._nodes[number].wait(timeout=30)

    def start(self) -> LocalRayCluster:
        command = [
            ray_command(), "start", "--head", "--block", "--node-ip-address", self.host,
            "--port", str(self.port), "--temp-dir", str(self.temp_dir),
            "--num-cpus", str(self.num_cpus), "--disable-usage-stats",
            "--object-store-memory", str(OBJECT_STORE_BYTES),
            "--include-dashboard", "true" if self.dashboard else "false",
            "--dashboard-host", self.host, "--dashboard-port", str(self.dashboard_port),
            *self._ports(),
        ]  # fmt: skip
        self._start_node(command)
        return self

    def stop(self) -> None:
        """End every node: each ``ray start --block`` leads a process group of its own
        (SIGTERM, then SIGKILL for what is left)."""
        for process in reversed(self._nodes):
            _end_group(process)
        self._nodes.clear()
        shutil.rmtree(self.temp_dir, ignore_errors=True)

    def _ports(self) -> list[str]:
        """Every port Ray would otherwise take from its fixed defaults."""
        names = (
            "--node-manager-port", "--object-manager-port", "--dashboard-agent-listen-port",
            "--dashboard-agent-grpc-port", "--metrics-export-port", "--runtime-env-agent-port",
        )  # fmt: skip
        ports = [part for name in names for part in (name, str(free_port()))]
        return [*ports, "--min-worker-port", "0", "--max-worker-port", "0"]

    def _environment(self) -> dict[str, str]:
        environment = {**os.environ, **self.env}
        environment.pop("RAY_ADDRESS")  # `ray start --head` refuses to start with one set
        if "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER" not in self.env:
            environment.pop("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", None)
        return environment

    def _start_node(self, command: list[str]) -> subprocess.Popen[str]:
        """Run ``ray start --block`` until it says the node runs (its output goes to a file
        in the temp dir, read back if it fails)."""
        log = self.temp_dir / f"node-{len(self._nodes)}.log"
        with log.open("w") as out:
            process = subprocess.Popen(
                command, env=self._environment(), stdout=out, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True, text=True,
            )  # fmt: skip
        self._nodes.append(process)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            text = log.read_text()
            if READY in text:
                return process
            if process.poll() is not None:
                break
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"ray start did not start a node:\n{text}")


def _end_group(process: subprocess.Popen[str]) -> None:
    for sig, wait_s in ((signal.SIGTERM, 5), (signal.SIGKILL, 30)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=wait_s)
            if sig == signal.SIGKILL or not _group_alive(process.pid):
                return
        except subprocess.TimeoutExpired:
            continue


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True
