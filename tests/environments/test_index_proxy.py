"""The index proxy of an environment's build: the index's hosts, and nothing else."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import pytest

from runtime_kit.environments.index_proxy import PYPI_HOSTS, IndexProxy, index_hosts
from runtime_kit.service.settings import SettingsError, load_settings
from tests.environments.local_index import LocalIndex, OtherHost


def ask(socket_path: Path, request: bytes) -> bytes:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
        client.settimeout(30)
        client.connect(str(socket_path))
        client.sendall(request)
        client.shutdown(socket.SHUT_WR)  # all it asks; the proxy still answers
        answer = b""
        while chunk := client.recv(65536):
            answer += chunk
    return answer


def test_the_hosts_a_build_may_reach() -> None:
    assert index_hosts(None) == PYPI_HOSTS
    assert index_hosts("https://mirror.example/simple") == {("mirror.example", 443)}
    assert index_hosts("http://127.0.0.1:8080/simple", ["files.example", "cdn.example:8443"]) == {
        ("127.0.0.1", 8080),
        ("files.example", 443),
        ("cdn.example", 8443),
    }
    assert index_hosts("file:///srv/index") == frozenset()


def test_it_carries_requests_to_the_index_and_refuses_the_rest() -> None:
    index = LocalIndex({"probe_build-1.0.tar.gz": b"not really a tarball"})
    other = OtherHost()
    try:
        with index.serving():
            proxy = IndexProxy(frozenset({("127.0.0.1", index.port)}))
            with proxy as path:
                request = f"GET {index.url}/probe-build/ HTTP/1.1\r\nHost: x\r\n\r\n"
                page = ask(path, request.encode())
                assert page.startswith(b"HTTP/1.0 200") and b"probe_build-1.0.tar.gz" in page
                other_url = f"http://127.0.0.1:{other.port}/"
                for request in (
                    f"CONNECT 127.0.0.1:{other.port} HTTP/1.1\r\n\r\n",
                    f"GET {other_url} HTTP/1.1\r\nHost: x\r\n\r\n",
                    "GET /simple/ HTTP/1.1\r\nHost: x\r\n\r\n",  # not a proxy request
                ):
                    answer = ask(path, request.encode())
                    assert answer.startswith(b"HTTP/1.1 403 Forbidden"), answer
                    assert b"is not the package index" in answer
                assert ask(path, b"nonsense") == b""  # closed without a request
            assert path.parent.exists() is False  # its socket's directory went with it
    finally:
        other.close()
    assert other.connections == 0
    assert index.requests == ["/simple/probe-build/"]
    assert proxy.refused == [f"127.0.0.1:{other.port}", f"127.0.0.1:{other.port}", "/simple/"]


@pytest.mark.parametrize("value", ["host:99999", "a/b", ":443", ","])
def test_serve_refuses_a_bad_index_host(value: str) -> None:
    variable = "RUNTIME_KIT_SERVE_ENVIRONMENTS_INDEX_HOSTS"
    with pytest.raises(SettingsError, match=f"^environment {variable}: expected host"):
        load_settings({}, environ={variable: value})
    hosts = load_settings({}, environ={variable: "files.example, cdn.example:8443"})
    assert hosts.environment_settings.index_hosts == ("files.example", "cdn.example:8443")


def test_the_relay_carries_a_commands_requests_to_the_proxy(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """What runs inside a build's sandbox, run here: the command gets HTTP(S)_PROXY naming
    the relay, and reaches the index through it (and the proxy) only."""
    from runtime_kit.environments import relay

    index = LocalIndex({"probe_build-1.0.tar.gz": b"bytes"})
    other = OtherHost()
    fetch = (
        "import sys, urllib.request, urllib.error\n"
        "print(urllib.request.urlopen(sys.argv[1], timeout=30).read().decode())\n"
        "try:\n    urllib.request.urlopen(sys.argv[2], timeout=30)\n"
        "except urllib.error.HTTPError as exc:\n    print('other:', exc.code)\n"
    )
    try:
        with index.serving(), IndexProxy(frozenset({("127.0.0.1", index.port)})) as path:
            status = relay.main(
                [str(path), "--", sys.executable, "-c", fetch, f"{index.url}/probe-build/",
                 f"http://127.0.0.1:{other.port}/"]
            )  # fmt: skip
    finally:
        other.close()
    assert status == 0
    printed = capfd.readouterr().out
    assert "probe_build-1.0.tar.gz" in printed and "other: 403" in printed
    assert other.connections == 0
    assert relay.main([str(tmp_path / "socket"), "uv"]) == 2  # no "--"
