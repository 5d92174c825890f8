"""Client-side secrets: a stored token goes only to its own service; bundles leave secrets
out (gitignore semantics) and say so."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path, PurePosixPath

import pytest

from runtime_kit.bundle.ignore import IgnoreRules
from runtime_kit.client.config import resolve, save_login
from runtime_kit.errors import ConfigurationError
from tests.client.test_commands import HELLO, cli


@pytest.fixture
def stored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("RUNTIME_KIT_CONFIG", str(tmp_path / "config.json"))
    monkeypatch.delenv("RUNTIME_KIT_URL", raising=False)
    monkeypatch.delenv("RUNTIME_KIT_TOKEN", raising=False)
    save_login("https://runtime.example.org", "rk_stored_secret")
    return "rk_stored_secret"


def test_a_new_url_without_a_token_is_refused(stored: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUNTIME_KIT_URL", "https://attacker.example.net")
    with pytest.raises(ConfigurationError, match="stored token is for https://runtime"):
        resolve()


def test_the_stored_service_gets_its_token(stored: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUNTIME_KIT_URL", "https://runtime.example.org/")
    assert resolve()[:2] == ("https://runtime.example.org/", stored)
    monkeypatch.setenv("RUNTIME_KIT_TOKEN", "rk_given")
    monkeypatch.setenv("RUNTIME_KIT_URL", "https://elsewhere.example.net")
    assert resolve()[:2] == ("https://elsewhere.example.net", "rk_given")


def test_the_command_exits_3_before_sending_anything(tmp_path: Path) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if k != "RUNTIME_KIT_TOKEN"},
        "RUNTIME_KIT_CONFIG": str(tmp_path / "config.json"),
        "RUNTIME_KIT_URL": "http://127.0.0.1:9",  # nothing listens: it must not even try
    }
    (tmp_path / "config.json").write_text(
        json.dumps({"url": "https://runtime.example.org", "token": "rk_stored"})
    )
    result = cli(env, "programs", "list")
    assert result.returncode == 3, result.stderr
    assert "stored token is for https://runtime.example.org" in result.stderr
    assert "rk_stored" not in result.stderr


@pytest.mark.parametrize(
    ("rules", "path", "ignored"),
    [
        (["**/.env"], ".env", True),
        (["**/.env"], "sub/.env", True),
        (["docs/*.md"], "docs/top.md", True),
        (["docs/*.md"], "docs/sub/deep.md", False),
        (["build/"], "build/out.txt", True),
        (["*.log", "!keep.log"], "keep.log", False),
        ([], "config/.env", True),
        ([], "certs/server.pem", True),
        ([], "id.key", True),
        ([], ".netrc", True),
        ([], ".git-credentials", True),
        (["!public.pem"], "public.pem", False),
        ([], "program.py", False),
    ],
)
def test_ignore_rules_follow_gitignore(rules: list[str], path: str, ignored: bool) -> None:
    assert IgnoreRules(rules).ignored(PurePosixPath(path), False) is ignored


def test_build_and_publish_say_which_secrets_were_left_out(
    client_env: dict[str, str], tmp_path: Path
) -> None:
    project = tmp_path / "hello"
    shutil.copytree(HELLO, project)
    (project / "helper.py").write_text("VALUE = 1\n")
    (project / ".env").write_text("API_KEY=hunter2\n")
    (project / "certs").mkdir()
    (project / "certs" / "client.pem").write_text("-----BEGIN PRIVATE KEY-----\n")
    listed = cli(client_env, "build", project, "--list")
    assert listed.returncode == 0, listed.stderr
    assert ".env" not in listed.stdout and "client.pem" not in listed.stdout
    assert "left out (they look like secrets): .env, certs/client.pem" in listed.stderr
    built = json.loads(cli(client_env, "build", project, "--list", "--json").stdout)
    assert built["left_out"] == [".env", "certs/client.pem"]
    published = cli(client_env, "publish", project, "--yes")
    assert published.returncode == 0, published.stderr
    assert "left out (they look like secrets): .env, certs/client.pem" in published.stderr
