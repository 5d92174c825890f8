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
        (
            "",
            {"RUNTIME_KIT_SERVE_KEEP_JOBS_DAYS": "inf"},
            "environment RUNTIME_KIT_SERVE_KEEP_JOBS_DAYS: expected a positive number, got 'inf'",
        ),
        ("keep_logs_days = 1e6\n", {}, "keep_logs_days: expected at most 36500 days"),
        ("shutdown_timeout_s = 'inf'\n", {}, "shutdown_timeout_s: expected a number >= 0"),
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


def test_ray_settings_go_to_the_ray_executor() -> None:
    environ = {"RAY_ADDRESS": "10.0.0.5:6379", "RUNTIME_KIT_SERVE_RAY_NUM_CPUS": "0.5"}
    settings = load_settings({"executor": "ray", "memory_mib": 1500}, environ=environ)
    assert settings.executor_settings == {
        "address": "10.0.0.5:6379",  # Ray's own variable when the setting is absent
        "namespace": "runtime-kit",
        "num_cpus": 0.5,
        "memory_mib": 1500,  # what each job may use, by default
    }
    flagged = load_settings({"executor": "ray", "ray_address": "auto"}, environ=environ)
    assert flagged.executor_settings["address"] == "auto"
    local = load_settings({}, environ={"RAY_ADDRESS": "10.0.0.5:6379"})
    # RAY_ADDRESS is Ray's: no error for local
    assert local.executor_settings == {"job_start": "auto", "warm_environments": 2}


@pytest.mark.parametrize(
    ("flags", "environ", "message"),
    [
        ({"executor": "ray"}, {}, "--executor ray: no Ray cluster given (--ray-address"),
        ({"ray_num_cpus": 2.0}, {}, "ray_num_cpus is a setting of the ray executor"),
        ({"executor": "ray"}, {"RAY_ADDRESS": "head"}, "RAY_ADDRESS: expected HOST:PORT or auto"),
        (
            {"executor": "ray", "ray_address": "auto", "job_start": "fork"},
            {},
            "job_start is a setting of the local executor (--executor local)",
        ),
        (
            {"executor": "ray", "ray_address": "auto", "warm_environments": 1},
            {},
            "warm_environments is a setting of the local executor (--executor local)",
        ),
    ],
)
def test_ray_settings_that_cannot_work(
    flags: dict[str, object], environ: dict[str, str], message: str
) -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings(flags, environ=environ)
    assert message in str(raised.value)


def test_the_ray_executor_without_ray_is_a_usage_error_with_the_hint(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from runtime_kit.cli.serve import build_parser
    from runtime_kit.service.executors import EXECUTORS

    monkeypatch.delitem(EXECUTORS, "ray", raising=False)  # as where Ray is not installed
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(["--executor", "ray"])
    assert exited.value.code == 2
    assert "the ray executor needs Ray: pip install 'runtime-kit[ray]'" in capsys.readouterr().err
