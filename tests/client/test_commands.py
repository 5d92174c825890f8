"""build, publish, programs, jobs, login and service as commands, against a real service."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

RUNTIME_KIT = str(Path(sys.executable).with_name("runtime-kit"))
HELLO = ROOT / "examples" / "hello"


def cli(
    env: dict[str, str], *args: str | Path, stdin: str | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [RUNTIME_KIT, *map(str, args)],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        cwd=cwd,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    target = tmp_path / "hello"
    shutil.copytree(HELLO, target)
    return target


def test_build_is_byte_identical_and_lists_first(
    client_env: dict[str, str], tmp_path: Path
) -> None:
    source = ROOT / "examples" / "parity-scan"
    copy = tmp_path / "parity-scan"
    shutil.copytree(source, copy)
    (copy / "__pycache__").mkdir(exist_ok=True)  # (running the example may have made it)
    (copy / "__pycache__" / "x.pyc").write_bytes(b"junk")
    (copy / ".git").mkdir()
    (copy / ".git" / "HEAD").write_text("ref")
    (copy / "notes.tmp").write_text("scratch")
    (copy / ".runtimeignore").write_text("*.tmp\n")
    listed = cli(client_env, "build", copy, "--list", "--json")
    assert listed.returncode == 0, listed.stderr
    names = [f["path"] for f in json.loads(listed.stdout)["files"]]
    assert "parity_scan/data/angles.json" in names and "program.py" in names
    assert any(n.startswith("wheels/parity_scan-0.1.0-") for n in names)
    assert not any(part in n for n in names for part in ("__pycache__", ".git/", "notes.tmp"))
    assert not (copy / "dist").exists()
    first = cli(client_env, "build", copy, "-o", tmp_path / "a", "--json")
    second = cli(client_env, "build", copy, "-o", tmp_path / "b", "--json")
    one, two = json.loads(first.stdout), json.loads(second.stdout)
    assert one["sha256"] == two["sha256"]
    assert Path(one["path"]).read_bytes() == Path(two["path"]).read_bytes()
    import zipfile

    with zipfile.ZipFile(one["path"]) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert manifest["entry_point"] == "program.py" and manifest["runtime_kit"]


def test_publish_create_unchanged_update_new_version(
    client_env: dict[str, str], project: Path
) -> None:
    created = cli(client_env, "publish", project, "--json")
    assert created.returncode == 0, created.stderr
    first = json.loads(created.stdout)
    assert (first["action"], first["kind"]) == ("created", "source")
    again = json.loads(cli(client_env, "publish", project, "--json").stdout)
    assert (again["action"], again["program_id"]) == ("unchanged", first["program_id"])
    program = project / "program.py"
    program.write_text(program.read_text().replace("in all.", "in total."))
    dry = cli(client_env, "publish", project, "--dry-run")
    assert dry.returncode == 0 and '"entry_point": "program.py"' in dry.stdout
    assert json.loads(cli(client_env, "publish", project, "--json").stdout)["action"] == "updated"
    metadata = json.loads((project / "metadata.json").read_text())
    (project / "metadata.json").write_text(
        json.dumps({**metadata, "version": "2.0", "description": "second"})
    )
    dry = cli(client_env, "publish", project, "--dry-run")
    assert '+  "description": "second"' in dry.stdout
    published = json.loads(cli(client_env, "publish", project, "--json", "--public").stdout)
    assert (published["action"], published["version"]) == ("new version", "2.0")
    shown = json.loads(cli(client_env, "programs", "--json", "show", first["program_id"]).stdout)
    assert (shown["version"], shown["versions"], shown["is_public"]) == ("2.0", ["0", "2.0"], True)


def test_publish_refuses_validate_errors(client_env: dict[str, str], project: Path) -> None:
    program = project / "program.py"
    program.write_text(
        program.read_text().replace(
            "def main(backend, user_messenger", "def main(user_messenger, backend"
        )
    )
    refused = cli(client_env, "publish", project)
    assert refused.returncode == 1 and "RK303" in refused.stderr


def test_programs_and_jobs_commands(client_env: dict[str, str], project: Path) -> None:
    program_id = json.loads(cli(client_env, "publish", project, "--json").stdout)["program_id"]
    listed = json.loads(cli(client_env, "programs", "--json", "list").stdout)
    assert program_id in [p["id"] for p in listed]
    followed = cli(
        client_env,
        "jobs",
        "submit",
        "hello",
        "--follow",
        "--param",
        "iterations=2",
    )
    assert followed.returncode == 0, followed.stderr
    lines = followed.stdout.splitlines()
    assert [line.split(":")[0] for line in lines] == ["interim", "interim", "result"]
    assert lines[-1] == 'result: "Ran 2 circuits, 2048 shots in all."'
    job_id = followed.stderr.split()[1]
    jobs = json.loads(cli(client_env, "jobs", "--json", "list").stdout)
    assert jobs[0]["id"] == job_id and jobs[0]["status"] == "COMPLETED"
    listed = cli(client_env, "jobs", "--json", "list", "--instance", "ibm-q/open/main")
    assert json.loads(listed.stdout)[0]["id"] == job_id
    assert json.loads(cli(client_env, "jobs", "--json", "list", "--instance", "a/b/c").stdout) == []
    shown = json.loads(cli(client_env, "jobs", "--json", "show", job_id).stdout)
    assert (shown["status"], shown["instance"]) == ("COMPLETED", "ibm-q/open/main")
    assert (
        json.loads(cli(client_env, "jobs", "--json", "result", job_id).stdout)["result"]
        == "Ran 2 circuits, 2048 shots in all."
    )
    assert cli(client_env, "jobs", "logs", job_id).returncode == 0
    assert cli(client_env, "jobs", "stream", job_id).returncode == 0
    cancelled = cli(client_env, "jobs", "cancel", job_id)  # already final: a clear error
    assert cancelled.returncode == 1
    assert "has ended (COMPLETED); nothing to cancel" in cancelled.stderr
    assert cli(client_env, "jobs", "delete", job_id).returncode == 0
    assert cli(client_env, "jobs", "show", job_id).returncode == 4
    submitted = cli(
        client_env,
        "jobs",
        "--json",
        "submit",
        program_id,
        "--inputs",
        project / "inputs" / "example.json",
    )
    assert json.loads(submitted.stdout)["program"] == program_id
    assert cli(client_env, "programs", "visibility", program_id, "public").returncode == 0
    assert cli(client_env, "programs", "delete", program_id).returncode == 0
    assert cli(client_env, "programs", "show", program_id).returncode == 4


def test_failed_job_follow_exits_1(client_env: dict[str, str], tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "program.py").write_text(
        "def main(backend, user_messenger):\n    raise ValueError('no')\n"
    )
    (broken / "metadata.json").write_text(
        '{"name": "broken", "description": "d", "max_execution_time": 30}'
    )
    assert cli(client_env, "publish", broken).returncode == 0
    followed = cli(client_env, "jobs", "submit", "broken", "--follow")
    assert followed.returncode == 1 and "ValueError: no" in followed.stderr


def test_login_stores_url_and_token_privately(
    client_env: dict[str, str], server, tmp_path: Path
) -> None:
    env = {k: v for k, v in client_env.items() if k not in ("RUNTIME_KIT_URL", "RUNTIME_KIT_TOKEN")}
    bad = cli(env, "login", "--url", server.url, "--token-stdin", stdin="wrong\n")
    assert bad.returncode == 3
    good = cli(env, "login", "--url", server.url, "--token-stdin", stdin=server.token + "\n")
    assert good.returncode == 0, good.stderr
    config = Path(env["RUNTIME_KIT_CONFIG"])
    assert config.stat().st_mode & 0o777 == 0o600
    assert json.loads(config.read_text()) == {"url": server.url, "token": server.token}
    assert cli(env, "programs", "list").returncode == 0


@pytest.mark.service  # the per-user local service
def test_embedded_local_service_starts_on_first_use(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUNTIME_KIT_")}
    env |= {
        "RUNTIME_KIT_LOCAL_DIR": str(tmp_path / "local"),
        "RUNTIME_KIT_CONFIG": str(tmp_path / "none.json"),
    }
    try:
        assert json.loads(cli(env, "service", "--json", "status").stdout)["running"] is False
        shutil.copytree(HELLO, tmp_path / "hello")
        assert cli(env, "publish", tmp_path / "hello").returncode == 0
        status = json.loads(cli(env, "service", "--json", "status").stdout)
        assert status["running"] and status["url"].startswith("http://127.0.0.1:")
        token = tmp_path / "local" / "data" / "admin-token"
        assert token.stat().st_mode & 0o777 == 0o600
        followed = cli(env, "jobs", "submit", "hello", "--follow", "--param", "iterations=1")
        assert followed.returncode == 0 and followed.stdout.startswith("interim:")
    finally:
        assert cli(env, "service", "stop").returncode == 0
    assert json.loads(cli(env, "service", "--json", "status").stdout)["running"] is False


def test_a_package_runs_from_its_installed_wheel(
    client_env: dict[str, str], server, tmp_path: Path
) -> None:
    project = tmp_path / "parity-scan"
    shutil.copytree(ROOT / "examples" / "parity-scan", project)
    # Sources left out of the bundle: only the wheel (built from them) can provide them.
    (project / ".runtimeignore").write_text("parity_scan/\n")
    published = json.loads(cli(client_env, "publish", project, "--json").stdout)
    assert published["kind"] == "zip"
    listed = cli(client_env, "build", project, "--list").stdout
    assert "parity_scan/circuits.py" not in listed and "wheels/parity_scan-" in listed
    followed = cli(client_env, "jobs", "--json", "submit", "parity-scan", "--follow")
    assert followed.returncode == 0, followed.stderr
    assert json.loads(followed.stdout)["result"]["parities"][0] == 1.0


def test_bad_inputs_file_is_one_line_with_its_place(
    client_env: dict[str, str], tmp_path: Path
) -> None:
    broken = tmp_path / "inputs.json"
    broken.write_text('{"iterations": }')
    result = cli(client_env, "jobs", "submit", "hello", "--inputs", broken)
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: {broken}:1:16: inputs are not valid JSON")
    missing = cli(client_env, "jobs", "submit", "hello", "--inputs", tmp_path / "none.json")
    assert missing.returncode == 2 and "cannot read inputs" in missing.stderr


def test_build_refuses_metadata_without_a_name(client_env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "program.py").write_text("def main(backend, user_messenger):\n    return 1\n")
    (tmp_path / "metadata.json").write_text('{"max_execution_time": 5}')
    result = cli(client_env, "build", tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == f"error: {tmp_path / 'metadata.json'}: the metadata has no name"


def test_tokens_take_the_same_connection_settings(client_env: dict[str, str]) -> None:
    """``tokens`` connects as every other command does: its timeout, retries and CA."""
    bad = {**client_env, "RUNTIME_KIT_RETRIES": "-2"}
    done = cli(bad, "tokens", "list")
    assert done.returncode == 3, done.stderr
    assert "RUNTIME_KIT_RETRIES='-2': expected a whole number >= 0" in done.stderr
    listed = cli({**client_env, "RUNTIME_KIT_RETRIES": "0"}, "tokens", "list", "--json")
    assert listed.returncode == 0, listed.stderr
