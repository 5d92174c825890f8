"""Jobs of one service land on two Ray nodes; a job on a node that is lost ends FAILED.

Ray rewrites ``127.0.0.1`` to the machine's interface address unless
``RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0``, which also refuses a second node; and tests send
traffic only to loopback or to hosts of their own.  So this test makes its own two network
namespaces joined by a veth pair (addresses from TEST-NET-1, 192.0.2.0/24, that exist only
there): the head node, the service and the test's client in one, a second node in the
other.  Where namespaces cannot be made (not root, no ``ip``), it skips saying why.
"""

from __future__ import annotations

import ctypes
import os
import secrets
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.service.ray_cluster import LocalRayCluster
from tests.service.real_server import RealServer
from tests.service.test_ray_executor import NODE_LINE, PRINTER
from tests.service.test_server import SLEEPER, _wait_gone, stream, submit, upload, wait_status

HEAD_IP, NODE_IP = "192.0.2.1", "192.0.2.2"
CLONE_NEWNET = 0x40000000


class Namespaces:
    """Two network namespaces of this test's own, joined by a veth pair."""

    def __init__(self) -> None:
        tag = secrets.token_hex(3)
        self.head, self.node = f"rk-{tag}-head", f"rk-{tag}-node"
        self._veth = (f"rk{tag}h", f"rk{tag}n")

    def create(self) -> Namespaces:
        head_end, node_end = self._veth
        self._ip("netns", "add", self.head)
        self._ip("netns", "add", self.node)
        self._ip("link", "add", head_end, "type", "veth", "peer", "name", node_end)
        ends = ((self.head, head_end, HEAD_IP), (self.node, node_end, NODE_IP))
        for namespace, end, address in ends:
            self._ip("link", "set", end, "netns", namespace)
            self._ip("-n", namespace, "addr", "add", f"{address}/24", "dev", end)
            self._ip("-n", namespace, "link", "set", end, "up")
            self._ip("-n", namespace, "link", "set", "lo", "up")
        return self

    def delete(self) -> None:
        for namespace in (self.head, self.node):  # the veth pair goes with them
            subprocess.run(["ip", "netns", "delete", namespace], capture_output=True, check=False)

    def exec_prefix(self, namespace: str) -> list[str]:
        # nsenter, not `ip netns exec`: that mounts a sysfs of its own over /sys, hiding the
        # cgroup hierarchies a node's runners cap their jobs with
        return ["nsenter", f"--net=/var/run/netns/{namespace}", "--"]

    def run_inside(self, namespace: str, work: Callable[[], Any]) -> Any:
        """``work()`` in a thread that entered ``namespace``'s network (and so do the
        processes it starts): its sockets are there, the rest of the test stays out."""
        outcome: dict[str, Any] = {}

        def enter_and_work() -> None:
            try:
                with open(f"/var/run/netns/{namespace}") as handle:
                    libc = ctypes.CDLL(None, use_errno=True)
                    if libc.setns(handle.fileno(), CLONE_NEWNET) != 0:
                        raise OSError(ctypes.get_errno(), "setns")
                outcome["value"] = work()
            except BaseException as exc:  # noqa: BLE001  (raised again in the test's thread)
                outcome["error"] = exc

        thread = threading.Thread(target=enter_and_work)
        thread.start()
        thread.join(timeout=600)
        if "error" in outcome:
            raise outcome["error"]
        return outcome["value"]

    @staticmethod
    def _ip(*args: str) -> None:
        done = subprocess.run(["ip", *args], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise OSError(f"ip {' '.join(args)}: {done.stderr.strip()}")


@pytest.fixture
def namespaces() -> Iterator[Namespaces]:
    from runtime_kit.service.executors import EXECUTORS, RAY_INSTALL_HINT

    if "ray" not in EXECUTORS:
        pytest.skip(f"Ray is not installed ({RAY_INSTALL_HINT}; make test installs it)")
    if os.geteuid() != 0 or shutil.which("ip") is None or shutil.which("nsenter") is None:
        pytest.skip(
            "two Ray nodes need network namespaces of the test's own: root, `ip`, `nsenter`"
        )
    made = Namespaces()
    try:
        made.create()
    except OSError as exc:
        made.delete()
        pytest.skip(f"cannot make network namespaces here ({exc})")
    try:
        yield made
    finally:
        made.delete()


@pytest.mark.service
@pytest.mark.ray
def test_jobs_land_on_two_nodes(
    tmp_path: Path, namespaces: Namespaces, monkeypatch: pytest.MonkeyPatch
) -> None:
    cluster = LocalRayCluster(num_cpus=1, host=HEAD_IP)
    monkeypatch.delenv("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", raising=False)
    for name, value in cluster.env.items():  # the service below is this cluster's driver
        monkeypatch.setenv(name, value)

    def scenario() -> tuple[list[str], list[str], dict[str, Any]]:
        cluster.start()
        cluster.add_node(NODE_IP, num_cpus=1, prefix=namespaces.exec_prefix(namespaces.node))
        args = ["--executor", "ray", "--ray-address", cluster.address, "--ray-memory-mib", "512"]
        server = RealServer(tmp_path / "data", "--workers", "2", *args).start()
        try:
            with server.http() as http:
                nodes = http.get("/health").json()["ray"]["nodes"]
            printer = upload(server, PRINTER, "printer")
            jobs = [submit(server, printer) for _ in range(4)]
            landed = []
            for job_id in jobs:
                assert wait_status(server, job_id, {"COMPLETED", "FAILED"}, 120) == "COMPLETED"
                with server.http() as http:
                    first = http.get(f"/jobs/{job_id}/logs").text.splitlines()[0]
                landed.append(first.removeprefix(NODE_LINE).split()[0])
            return nodes, landed, _lose_a_node(server, cluster)
        finally:
            server.stop()

    try:
        nodes, landed, lost = namespaces.run_inside(namespaces.head, scenario)
    finally:
        cluster.stop()
    assert len(nodes) == 2  # one runner (1 CPU) fits on each node (1 CPU)
    assert set(landed) == set(nodes)  # the jobs ran on both
    assert lost["status"] == "FAILED", lost
    reason = lost["state"]["reason"]
    assert reason.startswith("the Ray worker running the job on node "), reason
    assert " died: " in reason or " became unreachable (its node lost?): " in reason, reason
    assert _wait_gone("sleep 317", timeout=10), "the lost node's job left processes"


def _lose_a_node(server: RealServer, cluster: LocalRayCluster) -> dict[str, Any]:
    """One sleeping job on each node; the second node is lost: its job, and only its,
    ends FAILED (returned) within 90 s, saying why."""
    sleeper = upload(server, SLEEPER, "sleeper")
    jobs = [submit(server, sleeper, {"seconds": "317"}) for _ in range(2)]
    for job_id in jobs:
        stream(server, job_id, stop_after=2)  # ACK and "sleeping": both run, one per runner
    cluster.stop_node(1)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        with server.http() as http:
            states = {job_id: http.get(f"/jobs/{job_id}").json() for job_id in jobs}
        ended = [job for job in states.values() if job["status"] != "RUNNING"]
        if ended:
            assert len(ended) == 1, states
            with server.http() as http:
                http.post(f"/jobs/{next(j for j in jobs if j != ended[0]['id'])}/cancel")
            return ended[0]
        time.sleep(0.5)
    raise AssertionError(f"no job ended within 90 s of its node's loss: {states}")
