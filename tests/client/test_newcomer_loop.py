"""Issue 20, section 2: what a newcomer met, against a real service and real commands."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from runtime_kit.client.service import RuntimeService
from tests.client.test_commands import cli
from tests.conftest import ROOT, run_command

SAMPLER = ROOT / "examples" / "sampler"
CHECKED = """def main(backend, user_messenger, bad=False):
    user_messenger.publish({"iteration": "first" if bad else 0})
    print("after the interim result")
    return {"energy": "low" if bad else -1.0}
"""
CHECKED_SPEC = {
    "parameters": {"type": "object", "properties": {"bad": {"type": "boolean"}}},
    "interim_results": {
        "type": "object",
        "properties": {"iteration": {"type": "integer"}},
    },
    "return_values": {"type": "object", "properties": {"energy": {"type": "number"}}},
}


def _project(directory: Path, source: str, spec: dict[str, object], **metadata: object) -> Path:
    directory.mkdir()
    (directory / "program.py").write_text(source)
    document = {
        "name": directory.name,
        "description": "d",
        "max_execution_time": 60,
        "spec": spec,
        **metadata,
    }
    (directory / "metadata.json").write_text(json.dumps(document))
    return directory


def test_v2_primitive_results_print_readable(
    client_env: dict[str, str], service: RuntimeService, tmp_path: Path
) -> None:
    project = tmp_path / "sampler"
    shutil.copytree(SAMPLER, project)
    assert cli(client_env, "publish", project, "--yes").returncode == 0
    followed = cli(client_env, "jobs", "submit", "sampler", "--follow", "--inputs",
                   project / "inputs" / "example.json")  # fmt: skip
    assert followed.returncode == 0, followed.stderr
    result_line = followed.stdout.splitlines()[-1]
    assert result_line.startswith("result: ") and "__type__" not in result_line
    shown = json.loads(result_line.removeprefix("result: "))
    pub = shown["pub_results"][0]
    assert pub["data"]["meas"]["num_shots"] > 0
    counts = pub["data"]["meas"]["counts"]  # one histogram per angle of the sweep
    assert isinstance(counts, list) and all(isinstance(c, dict) for c in counts)
    job_id = followed.stderr.split()[1]
    result = cli(client_env, "jobs", "result", job_id)
    assert result.stdout == result_line + "\n"
    as_json = json.loads(cli(client_env, "jobs", "result", job_id, "--json").stdout)
    assert as_json["result"] == shown


def test_run_strict_makes_schema_mismatches_errors(tmp_path: Path) -> None:
    project = _project(tmp_path / "checked", CHECKED, CHECKED_SPEC)
    lenient = run_command("run", project, "--param", "bad=true")
    assert lenient.returncode == 0
    assert "warning: interim result #0 does not match its schema" in lenient.stderr
    strict = run_command("run", project, "--param", "bad=true", "--strict")
    assert strict.returncode == 1
    assert "error: strict: interim result #0 does not match its schema" in strict.stderr
    assert "result does not match its schema" in strict.stderr
    assert run_command("run", project, "--strict").returncode == 0


def test_the_service_says_schema_mismatches_in_the_jobs_logs(
    client_env: dict[str, str], service: RuntimeService, tmp_path: Path
) -> None:
    project = _project(tmp_path / "checked", CHECKED, CHECKED_SPEC)
    assert cli(client_env, "publish", project, "--yes").returncode == 0
    followed = cli(client_env, "jobs", "submit", "checked", "--follow", "--param", "bad=true")
    assert followed.returncode == 0, followed.stderr
    note = "[runtime-kit] warning: interim result #0 does not match its schema: $.iteration"
    assert note in followed.stderr
    job = service.job(followed.stderr.split()[1])
    logs = job.logs()
    assert note in logs and "after the interim result" in logs
    assert "[runtime-kit] warning: result does not match its schema: $.energy" in logs
    good = service.run(job.program_id, {}, {})
    good.wait_for_final_state(timeout=120)
    assert "[runtime-kit]" not in good.logs()


def test_a_v1_program_takes_a_dict_sent_as_a_json_string(
    client_env: dict[str, str], service: RuntimeService, tmp_path: Path
) -> None:
    """qka's ``feature_map`` came as the JSON string of a legacy ``to_json``."""
    project = tmp_path / "v1"
    project.mkdir()
    (project / "program.py").write_text(
        "import json\n\ndef main(backend, user_messenger, feature_map):\n"
        "    return sorted(json.loads(feature_map))\n"
    )
    parameter = {"name": "feature_map", "description": "d", "type": "dict", "required": True}
    metadata = {"name": "v1", "description": "d", "max_execution_time": 60}
    (project / "metadata.json").write_text(json.dumps({**metadata, "parameters": [parameter]}))
    value = json.dumps({"feature_dimension": 2, "entangler_map": [[0, 1]]})
    ran = run_command("run", project, "--param", f"feature_map={json.dumps(value)}")
    assert ran.returncode == 0, ran.stderr
    assert '["entangler_map", "feature_dimension"]' in ran.stdout
    published = cli(client_env, "publish", project, "--yes")
    assert published.returncode == 0, published.stderr
    job = service.run(published.stdout.strip(), {}, {"feature_map": value})
    assert job.result(timeout=120) == ["entangler_map", "feature_dimension"]
    # the v1 type is still a description: a person reads it
    shown = cli(client_env, "programs", "show", "v1")
    assert "Description: d (v1 type: dict)" in shown.stdout


def test_publish_dry_run_of_a_new_program_shows_what_it_would_create(
    client_env: dict[str, str], service: RuntimeService, tmp_path: Path
) -> None:
    project = _project(tmp_path / "fresh", CHECKED, CHECKED_SPEC)
    dry = cli(client_env, "publish", project, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "(metadata unchanged)" not in dry.stdout
    assert '+  "name": "fresh",' in dry.stdout
    assert dry.stderr.startswith("dry run, would create: fresh version ")
    assert service.programs(refresh=True) == []  # nothing was created
    assert cli(client_env, "publish", project, "--yes").returncode == 0
    again = cli(client_env, "publish", project, "--dry-run")
    assert "dry run, would change nothing: fresh-" in again.stderr
    assert "(metadata unchanged)" in again.stdout


def test_programs_show_omits_what_the_program_does_not_say(
    client_env: dict[str, str], service: RuntimeService, tmp_path: Path
) -> None:
    spec = {"parameters": {"type": "object", "properties": {"n": {}}}}
    source = "def main(backend, user_messenger, n=1):\n    return n\n"
    project = _project(tmp_path / "terse", source, spec, description="")
    assert cli(client_env, "publish", project, "--yes").returncode == 0
    shown = cli(client_env, "programs", "show", "terse")
    assert shown.returncode == 0, shown.stderr
    assert "None" not in shown.stdout
    assert "    - n:\n      Required: False" in shown.stdout
    # the SDK's str() keeps the legacy layout, None and all
    assert "Description: None" in str(service.program(service.programs()[0].program_id))


@pytest.mark.parametrize("backend", ["generic-5", "generic:5"])
def test_a_generic_backend_keeps_its_name(backend: str) -> None:
    ran = run_command("run", ROOT / "examples" / "hello", "--backend", backend, "--json")
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout)["backend"] == "generic-5"


def test_service_help_names_all_its_commands() -> None:
    shown = run_command("service", "--help")
    assert "open its web view" in shown.stdout
    assert "status" in shown.stdout and "stop" in shown.stdout
