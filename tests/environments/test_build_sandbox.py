"""A requirement whose build runs code (a PEP 517 backend in an sdist, from an index of the
test's own on 127.0.0.1) is confined on ``serve``: it sees none of the service's data, what it
writes outside its build directory never reaches the host, and it reaches the package index
and nothing else; the job still builds (or fails with the resolver's message)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from runtime_kit.sandbox.bwrap import bwrap_path
from tests.environments.local_index import LocalIndex, OtherHost, sdist
from tests.environments.test_serve_environment import run_job, upload
from tests.service.real_server import RealServer

pytestmark = pytest.mark.skipif(bwrap_path() is None, reason="needs bubblewrap")

PROGRAM = """
import probe_build


def main(backend, user_messenger, **kwargs):
    return probe_build.REPORT
"""

PROBES = """
def attempt(name, action):
    try:
        report[name] = action()
    except Exception as exc:
        report[name] = type(exc).__name__

def write(path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as out:
        out.write("planted")
    return "written"

def connect_other():
    socket.create_connection(("127.0.0.1", OTHER_PORT), timeout=5).close()
    return "connected"

def through_proxy():
    proxy = os.environ.get("HTTPS_PROXY") or os.environ.get("HTTP_PROXY")
    if not proxy:
        return "no proxy"
    host, port = proxy.rstrip("/").rsplit("/", 1)[-1].split(":")
    with socket.create_connection((host, int(port)), timeout=5) as tunnel:
        tunnel.sendall(f"CONNECT 127.0.0.1:{OTHER_PORT} HTTP/1.1\\r\\n\\r\\n".encode())
        return tunnel.recv(200).decode().split("\\r\\n")[0]

attempt("data_listing", lambda: sorted(os.listdir(DATA_DIR)))
attempt("data_store", lambda: len(open(os.path.join(DATA_DIR, "runtime-kit.sqlite3"), "rb").read()))
attempt("data_blobs", lambda: sorted(os.listdir(os.path.join(DATA_DIR, "blobs"))))
for name, path in TARGETS.items():
    attempt("write_" + name, lambda path=path: write(path))
attempt("connect_other", connect_other)
attempt("proxy_other", through_proxy)
report["variables"] = sorted(key for key in os.environ if "TOKEN" in key or "RUNTIME_KIT" in key)
"""


def probes(data_dir: Path, targets: dict[str, str], other_port: int) -> str:
    constants = f"DATA_DIR = {str(data_dir)!r}\nTARGETS = {targets!r}\nOTHER_PORT = {other_port}\n"
    return textwrap.indent(constants + PROBES, "    ")


def program(directory: Path, requirement: str) -> Path:
    directory.mkdir()
    (directory / "program.py").write_text(PROGRAM)
    metadata = {"name": directory.name, "description": "a probing build", "max_execution_time": 300}
    (directory / "metadata.json").write_text(json.dumps(metadata))
    (directory / "requirements.txt").write_text(requirement + "\n")
    return directory


@pytest.mark.service
def test_code_run_while_building_is_confined(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"  # environments in DATA_DIR/environments: the default
    home = Path.home()  # the service's home (the tests' own, see tests/conftest.py)
    targets = {
        "outside": str(tmp_path / "outside" / "planted"),
        "data": str(data_dir / "planted"),
        "environments": str(data_dir / "environments" / "envs" / "planted"),
        "home": str(home / "planted-by-a-build"),
        "system": "/usr/planted-by-a-build",
    }
    other = OtherHost()
    code = probes(data_dir, targets, other.port)
    index = LocalIndex(
        {
            "probe_build-1.0.tar.gz": sdist("1.0", code),
            "probe_build-2.0.tar.gz": sdist("2.0", code, fail=True),
        }
    )
    try:
        with index.serving():
            server = RealServer(data_dir, "--environments-index-url", index.url).start()
            try:
                built = upload(server, program(tmp_path / "builds", "probe-build==1.0"))
                assert built.status_code == 200, built.text
                job = run_job(server, built.json()["id"], {})
                failing = upload(server, program(tmp_path / "fails", "probe-build==2.0"))
                assert failing.status_code == 200, failing.text
                failed = run_job(server, failing.json()["id"], {})
            finally:
                server.stop()
    finally:
        other.close()

    assert job["status"] == "COMPLETED", job["logs"] + job["results"]
    report = json.loads(job["results"])
    # the service's data: nothing of it is there (only the build's own directories, bound in)
    assert report["data_listing"] == ["environments"]
    assert report["data_store"] == report["data_blobs"] == "FileNotFoundError"
    # writes: the system is read-only; the rest lands in the sandbox's own tmpfs, never here
    assert report["write_system"] == "OSError"
    for name in ("outside", "data", "environments", "home"):
        assert not Path(targets[name]).exists(), (name, report)
    # the network: no other host, directly or through the proxy
    assert report["connect_other"] in ("ConnectionRefusedError", "OSError"), report
    assert report["proxy_other"] == "HTTP/1.1 403 Forbidden", report
    assert other.connections == 0
    assert f"refused: 127.0.0.1:{other.port} (a build reaches only" in job["logs"]
    assert report["variables"] == []  # none of the service's variables (its token)
    # the index was reached, through the proxy, for what the build needed
    assert "/files/probe_build-1.0.tar.gz" in index.requests
    assert "building environment " in job["logs"]

    assert failed["status"] == "FAILED", failed["logs"]
    last = failed["logs"].rstrip().splitlines()[-1]
    assert last.startswith("[runtime-kit] error: the program's environment cannot be built: ")
    assert "probe-build refuses to build" in last
    assert '"data_listing": ["environments"]' in last  # what it saw, in the resolver's words


@pytest.mark.service
def test_a_file_index_is_shown_to_the_build(tmp_path: Path) -> None:
    """``--environments-index-url file://DIR``: the directory is shown read-only to the
    build (its network reaches nothing)."""
    index = LocalIndex({"probe_build-1.0.tar.gz": sdist("1.0", "    pass")})
    url = index.write_directory(tmp_path / "index")
    server = RealServer(tmp_path / "data", "--environments-index-url", url).start()
    try:
        created = upload(server, program(tmp_path / "from-a-directory", "probe-build==1.0"))
        assert created.status_code == 200, created.text
        job = run_job(server, created.json()["id"], {})
    finally:
        server.stop()
    assert job["status"] == "COMPLETED", job["logs"] + job["results"]
    assert json.loads(job["results"]) == {}  # the report of a backend that probed nothing
    assert "building environment " in job["logs"]
