"""``serve`` settings: one table, flag > environment > file > default, errors that say where."""

from __future__ import annotations

from pathlib import Path

import pytest

from runtime_kit.service.settings import SETTINGS, SettingsError, load_settings
from tests.conftest import ROOT, run_command


def test_precedence_flag_environment_file_default(tmp_path: Path) -> None:
    config = tmp_path / "serve.toml"
    config.write_text('workers = 3\nmemory_mib = 1000\nsandbox = "none"\nport = 9001\n')
    environ = {"RUNTIME_KIT_SERVE_MEMORY_MIB": "2000", "RUNTIME_KIT_SERVE_PORT": "9002"}
    settings = load_settings({"port": 9003}, environ=environ, config=config)
    assert settings.port == 9003  # flag
    assert settings.limits.memory_mib == 2000  # environment over file
    assert settings.workers == 3 and settings.sandbox == "none"  # file
    assert settings.limits.disk_mib == 1024 and settings.host == "127.0.0.1"  # defaults


@pytest.mark.parametrize(
    ("config", "environ", "message"),
    [
        ("workers = 0\n", {}, "serve.toml: workers: expected an integer >= 1, got '0'"),
        ("bogus = 1\n", {}, "serve.toml: unknown setting 'bogus'"),
        ("workers = [1]\n", {}, "serve.toml: workers = [1]: expected a number or a string"),
        ("workers = \n", {}, "serve.toml: not valid TOML"),
        (
            "",
            {"RUNTIME_KIT_SERVE_SANDBOX": "docker"},
            "environment RUNTIME_KIT_SERVE_SANDBOX: expected one of auto, bwrap, prefer, none",
        ),
        ("", {"RUNTIME_KIT_SERVE_PORT": "70000"}, "expected a port 0-65535, got '70000'"),
    ],
)
def test_bad_values_say_where_they_came_from(
    tmp_path: Path, config: str, environ: dict[str, str], message: str
) -> None:
    path = tmp_path / "serve.toml"
    path.write_text(config)
    with pytest.raises(SettingsError, match=None) as raised:
        load_settings({}, environ=environ, config=path)
    assert message in str(raised.value)


def test_a_missing_settings_file_is_exit_3(tmp_path: Path) -> None:
    result = run_command("serve", "--config", tmp_path / "none.toml", "--port", "0")
    assert result.returncode == 3
    assert result.stderr.strip() == (
        f"error: {tmp_path / 'none.toml'}: cannot read the settings file (No such file or "
        "directory)"
    )


def test_a_bad_flag_is_a_usage_error() -> None:
    result = run_command("serve", "--memory", "lots")
    assert result.returncode == 2
    assert "argument --memory: invalid" in result.stderr


def test_docs_list_every_setting() -> None:
    text = (ROOT / "docs" / "serve.md").read_text()
    for setting in SETTINGS:
        row = f"| `{setting.flag}` | `{setting.variable}` | `{setting.name}` |"
        assert row in text, setting.name
