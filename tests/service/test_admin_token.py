"""An admin token given by the operator must be strong: a weak one is refused at start."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from runtime_kit.errors import ServiceStartError
from runtime_kit.service.secrets import check_admin_token, token_bits

RUNTIME_KIT = str(Path(sys.executable).with_name("runtime-kit"))


@pytest.mark.parametrize(
    "token",
    ["admin-secret", "x" * 64, "password1234password1234", "0123456789" * 3, "a-b" * 20],
)
def test_weak_tokens_are_refused(token: str) -> None:
    with pytest.raises(ServiceStartError) as refused:
        check_admin_token(token, "RUNTIME_KIT_ADMIN_TOKEN")
    assert str(refused.value).startswith(
        "the admin token from RUNTIME_KIT_ADMIN_TOKEN is too weak ("
    )


@pytest.mark.parametrize(
    "token",
    [
        secrets.token_urlsafe(32),
        "rk_" + secrets.token_urlsafe(32),
        secrets.token_hex(16),
        "Correct-Horse-Battery-Staple-42-Zebra!",
    ],
    # ids that do not change: each xdist worker collects the suite, and they must agree
    ids=["token_urlsafe", "rk_token_urlsafe", "token_hex", "passphrase"],
)
def test_random_tokens_pass(token: str) -> None:
    assert check_admin_token(token, "x") == token
    assert token_bits(token) >= 64


def serve(tmp_path: Path, token: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "RUNTIME_KIT_ADMIN_TOKEN"}
    if token is not None:
        env["RUNTIME_KIT_ADMIN_TOKEN"] = token
    command = [RUNTIME_KIT, "serve", "--port", "0", "--sandbox", "none"]
    command += ["--data-dir", str(tmp_path / "data"), "--no-builtin-programs"]
    return subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_serve_refuses_a_weak_token_from_the_environment(tmp_path: Path) -> None:
    refused = serve(tmp_path, "admin-secret")
    assert refused.returncode == 3, refused.stderr
    assert refused.stderr.count("\n") == 1, refused.stderr
    assert refused.stderr.startswith(
        "error: the admin token from RUNTIME_KIT_ADMIN_TOKEN is too weak (12 characters"
    )


def test_serve_refuses_a_weak_token_file(tmp_path: Path) -> None:
    token_file = tmp_path / "data" / "admin-token"
    token_file.parent.mkdir()
    token_file.write_text("changeme\n")
    refused = serve(tmp_path, None)
    assert refused.returncode == 3, refused.stderr
    assert f"the admin token from {token_file} is too weak (8 characters" in refused.stderr
