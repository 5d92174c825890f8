"""``runtime-kit serve`` and ``runtime-kit tokens`` as commands."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.service.real_server import RealServer

RUNTIME_KIT = str(Path(sys.executable).with_name("runtime-kit"))


def tokens(
    server: RealServer, *args: str, token: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RUNTIME_KIT_URL": server.url, "RUNTIME_KIT_TOKEN": token or server.token}
    return subprocess.run(
        [RUNTIME_KIT, "tokens", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_tokens_create_list_revoke(real_server: RealServer) -> None:
    created = tokens(real_server, "--json", "create", "--name", "alice", "--role", "uploader")
    assert created.returncode == 0, created.stderr
    made = json.loads(created.stdout)
    assert (made["name"], made["role"]) == ("alice", "uploader") and made["token"].startswith("rk_")
    listed = json.loads(tokens(real_server, "--json", "list").stdout)
    assert [(t["name"], t["role"], t["revoked"]) for t in listed] == [
        ("admin", "admin", False),
        ("alice", "uploader", False),
    ]
    assert "token" not in listed[1] and "hash" not in listed[1]
    as_alice = tokens(real_server, "list", token=made["token"])
    assert as_alice.returncode == 3 and "only admins manage tokens" in as_alice.stderr
    assert tokens(real_server, "revoke", made["id"]).returncode == 0
    refused = tokens(real_server, "list", token=made["token"])
    assert refused.returncode == 3 and "invalid or revoked API token" in refused.stderr
    text = tokens(real_server, "list").stdout
    assert "alice" in text and "revoked" in text


def test_admin_token_file_is_private(real_server: RealServer, tmp_path: Path) -> None:
    server = RealServer(tmp_path / "own")
    env = {k: v for k, v in os.environ.items() if k != "RUNTIME_KIT_ADMIN_TOKEN"}
    process = subprocess.Popen(
        [RUNTIME_KIT, "serve", "--port", str(server.port), "--data-dir", str(server.data_dir)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        line = process.stderr.readline()
        token_file = server.data_dir / "admin-token"
        assert f"admin token: {token_file}" in line
        assert token_file.stat().st_mode & 0o777 == 0o600
        listed = tokens(server, "--json", "list", token=token_file.read_text().strip())
        assert listed.returncode == 0, listed.stderr
    finally:
        process.terminate()
        process.wait(timeout=30)
        process.stderr.close()


def test_serve_refuses_a_taken_port(real_server: RealServer, tmp_path: Path) -> None:
    taken = subprocess.run(
        [RUNTIME_KIT, "serve", "--port", str(real_server.port), "--data-dir", str(tmp_path / "d")],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert taken.returncode == 3
    assert f"cannot listen on 127.0.0.1:{real_server.port}" in taken.stderr


def test_tokens_without_a_service_is_exit_4(tmp_path: Path) -> None:
    env = {**os.environ, "RUNTIME_KIT_URL": "http://127.0.0.1:9", "RUNTIME_KIT_TOKEN": "x"}
    result = subprocess.run(
        [RUNTIME_KIT, "tokens", "list"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 4 and "Connection refused" in result.stderr


def test_serve_refuses_a_port_out_of_range(tmp_path: Path) -> None:
    result = subprocess.run(
        [RUNTIME_KIT, "serve", "--port", "70000", "--data-dir", str(tmp_path / "d")],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 2 and "expected a port 0-65535" in result.stderr
    assert not (tmp_path / "d").exists()


def instances(server: RealServer, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RUNTIME_KIT_URL": server.url, "RUNTIME_KIT_TOKEN": server.token}
    return subprocess.run(
        [RUNTIME_KIT, "instances", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_instances_create_list_delete_and_grant(real_server: RealServer) -> None:
    created = instances(real_server, "create", "ibm-q/deployed/main")
    assert created.returncode == 0 and "created ibm-q/deployed/main" in created.stderr
    assert instances(real_server, "create", "lab/all/shared", "--open-to-all").returncode == 0
    again = instances(real_server, "create", "ibm-q/deployed/main")
    assert again.returncode == 4 and "instance ibm-q/deployed/main exists already" in again.stderr
    made = tokens(
        real_server, "--json", "create", "--name", "bob",
        "--instance", "ibm-q/deployed/main", "--instance", "ibm-q/deployed/main",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert json.loads(made.stdout)["instances"] == [
        "ibm-q/open/main", "lab/all/shared", "ibm-q/deployed/main"
    ]  # fmt: skip
    unknown = tokens(real_server, "create", "--name", "x", "--instance", "no/such/one")
    assert unknown.returncode == 2 and "no such instance: no/such/one" in unknown.stderr
    listed = json.loads(instances(real_server, "--json", "list").stdout)
    assert [(i["instance"], i["open"], i["tokens"]) for i in listed] == [
        ("ibm-q/open/main", True, 0),
        ("ibm-q/deployed/main", False, 1),
        ("lab/all/shared", True, 0),
    ]
    text = instances(real_server, "list").stdout
    assert "ibm-q/deployed/main" in text and "1 token(s)" in text and "open to all" in text
    assert "ibm-q/deployed/main" in tokens(real_server, "list").stdout
    deleted = instances(real_server, "--json", "delete", "ibm-q/deployed/main")
    assert json.loads(deleted.stdout) == {"deleted": "ibm-q/deployed/main"}
    missing = instances(real_server, "delete", "ibm-q/deployed/main")
    assert missing.returncode == 4 and "no such instance" in missing.stderr
    malformed = instances(real_server, "delete", "ibm-q/deployed")
    assert malformed.returncode == 2 and "an instance is HUB/GROUP/PROJECT" in malformed.stderr


@pytest.mark.service
def test_a_quota_is_one_line_in_the_cli_and_an_error_in_the_sdk(tmp_path: Path) -> None:
    from runtime_kit import LimitExceededError, RuntimeService

    server = RealServer(tmp_path / "data", "--sandbox", "none", "--max-jobs", "1").start()
    try:
        made = json.loads(
            tokens(server, "--json", "create", "--name", "bob", "--role", "uploader").stdout
        )
        sleeper = tmp_path / "sleeper.py"
        sleeper.write_text(
            "import time\n\ndef main(backend, user_messenger):\n    time.sleep(60)\n"
        )
        service = RuntimeService(server.url, made["token"])
        program_id = service.upload_program(
            metadata={"name": "sleeper", "max_execution_time": 600}, path=sleeper
        )
        first = service.run(program_id, {"backend_name": "aer_simulator"}, {})
        env = {**os.environ, "RUNTIME_KIT_URL": server.url, "RUNTIME_KIT_TOKEN": made["token"]}
        refused = subprocess.run(
            [RUNTIME_KIT, "jobs", "submit", program_id], env=env, capture_output=True,
            text=True, timeout=60, check=False,
        )  # fmt: skip
        assert refused.returncode == 4, refused.stderr
        assert refused.stderr.count("\n") == 1, refused.stderr
        assert refused.stderr.startswith("error: POST ") and refused.stderr.rstrip().endswith(
            "429 quota reached: 1 queued or running jobs per token (1 now); wait for some to end"
        ), refused.stderr
        try:
            service.run(program_id, {"backend_name": "aer_simulator"}, {})
        except LimitExceededError as error:
            assert error.status == 429 and error.retry_after_s is None
        else:
            raise AssertionError("no LimitExceededError")
        first.cancel()
        service.close()
    finally:
        server.stop()
