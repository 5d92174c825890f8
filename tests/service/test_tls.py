"""``serve --tls-cert/--tls-key``: https and wss on one port; the SDK and CLI trust a CA given
by ``SSL_CERT_FILE``, ``RUNTIME_KIT_CA_FILE`` or ``runtime-kit login --ca-file``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from runtime_kit.client.service import RuntimeService
from runtime_kit.errors import ConfigurationError, ServiceError
from runtime_kit.service.settings import SettingsError, load_settings
from tests.conftest import run_command
from tests.service.real_server import RealServer
from tests.service.tls import TlsFiles, throwaway_tls


def cli(
    *args: str | Path, stdin: str = "", env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """``runtime-kit ARGS...`` with ``stdin`` and ``env`` (60 s deadline)."""
    return subprocess.run(
        [str(Path(sys.executable).with_name("runtime-kit")), *map(str, args)],
        input=stdin,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    return throwaway_tls(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, tls: TlsFiles) -> Iterator[RealServer]:
    data = tmp_path_factory.mktemp("service") / "data"
    running = RealServer(data, *tls.serve_args(), ca_file=tls.ca).start()
    try:
        yield running
    finally:
        running.stop()


def test_https_and_wss_on_one_port(server: RealServer, tls: TlsFiles) -> None:
    assert server.url.startswith("https://")
    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        httpx.get(f"{server.url}/health")  # not a CA anyone trusts
    with server.http() as http:
        me = http.get("/api/users/me").json()
    assert me["urls"]["services"]["runtime"] == server.url
    assert me["urls"]["http"] == f"{server.url}/api"
    service = RuntimeService(server.url, server.token, ca_file=tls.ca)
    job = service.run("hello-world", {"backend_name": "ibmq_qasm_simulator"}, {"iterations": 3})
    streamed: list[object] = []
    job.stream_results(lambda _, message: streamed.append(message))
    assert job.result(timeout=120) == "All done!"
    job.wait_for_final_state(timeout=30)
    assert job.wait_for_stream(timeout=30)
    assert [m["iteration"] for m in streamed] == [0, 1, 2]  # over wss, interim results only
    service.close()


def test_the_sdk_trusts_ssl_cert_file_and_runtime_kit_ca_file(
    server: RealServer, tls: TlsFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ServiceError, match="--ca-file at login, RUNTIME_KIT_CA_FILE"):
        RuntimeService(server.url, server.token).programs()
    for variable in ("SSL_CERT_FILE", "RUNTIME_KIT_CA_FILE"):
        monkeypatch.setenv(variable, str(tls.ca))
        service = RuntimeService(server.url, server.token)
        assert "hello-world" in [p.program_id for p in service.programs()]
        service.close()
        monkeypatch.delenv(variable)


def test_login_stores_the_ca_for_that_service(
    server: RealServer, tls: TlsFiles, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "RUNTIME_KIT_CONFIG": str(tmp_path / "config.json"),
        "RUNTIME_KIT_URL": "",
        "RUNTIME_KIT_TOKEN": "",
    }
    login = ("login", "--url", server.url, "--token-stdin")
    started = time.monotonic()
    refused = cli(*login, stdin=server.token, env=env)
    assert refused.returncode == 4 and "CERTIFICATE_VERIFY_FAILED" in refused.stderr
    # not transient: failed at once (no retries, no backoff), with the way to trust the CA
    assert "tries" not in refused.stderr and "--ca-file" in refused.stderr
    assert time.monotonic() - started < 30  # a generous bound; retries waited 4 x backoff
    done = cli(*login, "--ca-file", tls.ca, stdin=server.token, env=env)
    assert done.returncode == 0, done.stderr
    stored = json.loads((tmp_path / "config.json").read_text())
    assert stored["ca_file"] == str(tls.ca.resolve())
    listed = cli("programs", "--json", "list", env=env)
    assert listed.returncode == 0, listed.stderr
    assert "circuit-runner" in listed.stdout


def test_a_bad_ca_file_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match=r"CA file .*none\.pem: cannot be used"):
        RuntimeService("https://127.0.0.1:1", "token", ca_file=tmp_path / "none.pem")


def test_tls_settings_go_together_and_are_checked(tls: TlsFiles, tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="tls_cert and tls_key go together"):
        load_settings({"tls_cert": tls.cert}, environ={})
    environ = {"RUNTIME_KIT_SERVE_TLS_CERT": str(tls.cert), "RUNTIME_KIT_SERVE_TLS_KEY": "x"}
    assert load_settings({}, environ=environ).scheme == "https"
    started = run_command(
        "serve", "--port", "0", "--data-dir", tmp_path / "data", "--tls-cert", tls.cert,
        "--tls-key", tls.ca,
    )  # fmt: skip
    assert started.returncode == 3
    assert started.stderr.startswith(f"error: TLS certificate and key ({tls.cert}, {tls.ca})")


def test_builtin_programs_from_every_layer(tmp_path: Path) -> None:
    config = tmp_path / "serve.toml"
    config.write_text("builtin_programs = false\n")
    assert load_settings({}, environ={}, config=config).builtin_programs is False
    environ = {"RUNTIME_KIT_SERVE_BUILTIN_PROGRAMS": "true"}
    assert load_settings({}, environ=environ, config=config).builtin_programs is True
    assert load_settings({"builtin_programs": False}, environ=environ).builtin_programs is False
    with pytest.raises(SettingsError, match="BUILTIN_PROGRAMS: expected true or false"):
        load_settings({}, environ={"RUNTIME_KIT_SERVE_BUILTIN_PROGRAMS": "maybe"})
