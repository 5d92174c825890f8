"""``runtime-kit new`` with real cookiecutter: every template generates a project that
validates, runs and passes its own tests; the examples are exactly what the templates make."""

from __future__ import annotations

import filecmp
import json
import os
import pty
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from runtime_kit import validate
from runtime_kit.bundle import build_bundle
from runtime_kit.scaffold import bundled_templates, create_project
from tests.conftest import ROOT, run_command

PROGRAM_TEMPLATES = ["hello", "circuit-runner", "estimator", "sampler", "package"]
TEMPLATES = [*PROGRAM_TEMPLATES, "function"]
EXAMPLES = {
    "hello": "hello",
    "circuit-runner": "circuit-runner",
    "estimator": "estimator",
    "sampler": "sampler",
    "package": "parity-scan",
    "function": "bell-function",
}


@pytest.mark.parametrize("example", ["hello", "circuit-runner", "estimator", "sampler"])
def test_a_one_module_project_uploads_as_source(example: str) -> None:
    """Its tests, README, inputs and tool settings (``pytest.ini``...) are not program code."""
    bundle = build_bundle(ROOT / "examples" / example)
    assert (bundle.kind, [name for name, _ in bundle.files]) == ("source", ["program.py"])


def test_the_bundled_templates() -> None:
    assert [t.name for t in bundled_templates()] == sorted(TEMPLATES)
    listed = run_command("new", "--list")
    assert listed.returncode == 0
    assert [line.split()[0] for line in listed.stdout.splitlines()] == sorted(TEMPLATES)


@pytest.mark.parametrize("template", PROGRAM_TEMPLATES)
def test_generated_project_validates_runs_and_passes_its_tests(
    template: str, tmp_path: Path
) -> None:
    # The project is made inside another whose pytest settings would break its tests (as a
    # repository's would: "Unknown config option: timeout"): the project brings its own.
    (tmp_path / "pytest.ini").write_text("[pytest]\naddopts = --no-such-option\n")
    created = run_command("new", f"My {template}", "--template", template, "-o", tmp_path)
    assert created.returncode == 0, created.stderr
    project = tmp_path / f"my-{template}"
    assert created.stdout.strip() == str(project)
    assert "next: cd " in created.stderr and "validate && " in created.stderr
    expected = {
        "program.py",
        "metadata.json",
        "inputs",
        "tests",
        "README.md",
        ".pre-commit-config.yaml",
        ".gitignore",
    }
    assert expected <= {p.name for p in project.iterdir()}
    assert json.loads((project / "metadata.json").read_text())["name"] == f"my-{template}"

    assert validate(project) == []
    ran = run_command("run", project, "--json", "--seed", "3")
    assert ran.returncode == 0, ran.stderr
    record = json.loads(ran.stdout)
    assert (record["status"], record["error"], record["warnings"]) == ("DONE", None, [])
    assert record["interim_results"]

    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert " passed" in tests.stdout and "failed" not in tests.stdout


def test_a_generated_function_validates_runs_and_passes_its_tests(tmp_path: Path) -> None:
    """A Qiskit Function project: its entrypoint, schema, example arguments, tests, README."""
    created = run_command("new", "My function", "--template", "function", "-o", tmp_path)
    assert created.returncode == 0, created.stderr
    project = tmp_path / "my-function"
    expected = {"function.json", "arguments.schema.json", "arguments", "src", "tests"}
    assert expected | {"README.md", ".gitignore", "pytest.ini"} <= {
        p.name for p in project.iterdir()
    }
    assert json.loads((project / "function.json").read_text())["title"] == "my-function"
    assert validate(project) == []
    ran = run_command("run", project, "--json", "--seed", "3")
    assert ran.returncode == 0, ran.stderr
    record = json.loads(ran.stdout)
    assert (record["status"], record["error"]) == ("DONE", None)
    assert sum(record["result"]["counts"].values()) == 1024
    assert record["statuses"] == ["MAPPING", "EXECUTING_QPU", "POST_PROCESSING"]
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "4 passed" in tests.stdout


@pytest.mark.parametrize("template", TEMPLATES)
def test_examples_are_what_the_templates_generate(template: str, tmp_path: Path) -> None:
    name = EXAMPLES[template]
    # The examples name a placeholder author; a new project names its user.
    project = create_project(
        name, template=template, output_dir=tmp_path, values={"author": "A. Author"}
    )
    example = ROOT / "examples" / name
    generated = sorted(str(p.relative_to(project)) for p in project.rglob("*") if p.is_file())
    committed = sorted(
        str(p.relative_to(example))
        for p in example.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and ".pytest_cache" not in p.parts
    )
    assert generated == committed
    for relative in generated:
        assert filecmp.cmp(project / relative, example / relative, shallow=False), relative


def test_set_values_reach_the_project(tmp_path: Path) -> None:
    result = run_command(
        "new",
        "Tuned",
        "-o",
        tmp_path,
        "--set",
        "description=Tuned hello.",
        "--set",
        "max_execution_time=60",
        "--no-input",
    )
    assert result.returncode == 0, result.stderr
    metadata = json.loads((tmp_path / "tuned" / "metadata.json").read_text())
    assert (metadata["description"], metadata["max_execution_time"]) == ("Tuned hello.", 60)


def test_existing_directory_is_not_overwritten_unless_forced(tmp_path: Path) -> None:
    assert run_command("new", "Twice", "-o", tmp_path).returncode == 0
    program = tmp_path / "twice" / "program.py"
    program.write_text("# my edits\n")
    again = run_command("new", "Twice", "-o", tmp_path)
    assert again.returncode == 1
    assert (
        again.stderr.strip()
        == f'error: "{tmp_path}/twice" directory already exists: pass --force to render into it'
    )
    assert program.read_text() == "# my edits\n"
    forced = run_command("new", "Twice", "-o", tmp_path, "--force")
    assert forced.returncode == 0
    assert "def main(" in program.read_text()


def test_invalid_program_name_is_refused_and_leaves_nothing(tmp_path: Path) -> None:
    result = run_command("new", "bad name!", "-o", tmp_path)
    assert result.returncode == 1
    assert "project_slug 'bad-name!' is not a valid program name" in result.stderr
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["x", "--template", "nope"], "unknown template 'nope'"),
        (["x", "--set", "novalue"], "--set 'novalue': expected KEY=VALUE"),
        ([], "NAME is required when not on a terminal"),
    ],
)
def test_usage_errors_exit_2(args: list[str], message: str, tmp_path: Path) -> None:
    result = run_command("new", *args, "-o", tmp_path)
    assert result.returncode == 2
    assert message in result.stderr


def test_a_template_directory_can_be_given_by_path(tmp_path: Path) -> None:
    template = tmp_path / "my-template"
    shutil.copytree(ROOT / "templates" / "hello", template)
    config = json.loads((template / "cookiecutter.json").read_text())
    (template / "cookiecutter.json").write_text(json.dumps({**config, "author": "Path User"}))
    result = run_command("new", "From Path", "--template", template, "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "Path User" in (tmp_path / "out" / "from-path" / "README.md").read_text()


def test_prompts_on_a_terminal(tmp_path: Path) -> None:
    """On a terminal, every value is asked for; Enter keeps the default."""
    pid, terminal = pty.fork()
    if pid == 0:  # the child: runtime-kit new on the pseudo-terminal
        os.chdir(tmp_path)
        os.execv(
            str(Path(sys.executable).with_name("runtime-kit")), ["runtime-kit", "new", "Asked"]
        )
    output = b""
    deadline = time.monotonic() + 60
    answers = iter([b"\r"] * 5)
    while time.monotonic() < deadline:
        ready, _, _ = select.select([terminal], [], [], 1)
        if not ready:
            continue
        try:
            chunk = os.read(terminal, 4096)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
        if chunk.rstrip().endswith((b":", b"]", b")")):
            os.write(terminal, next(answers, b"\r"))
    _, status = os.waitpid(pid, 0)
    text = output.decode(errors="replace")
    assert os.waitstatus_to_exitcode(status) == 0, text
    assert "project_name" in text and "description" in text
    assert (tmp_path / "asked" / "program.py").is_file()


@pytest.mark.parametrize("example", sorted(EXAMPLES.values()))
def test_every_example_runs(example: str) -> None:
    from runtime_kit import run_program

    record = run_program(ROOT / "examples" / example, seed=1)
    assert (record.status, record.error, record.warnings) == ("DONE", None, [])


def test_an_unwritable_output_directory_is_one_line(tmp_path: Path) -> None:
    result = run_command("new", "x", "-o", "/proc/runtime-kit-nope", "--no-input")
    assert result.returncode == 1
    assert result.stderr.strip().startswith("error: cannot write the project:")
    assert "Traceback" not in result.stderr


def test_the_next_step_hint_works_from_where_the_user_is(tmp_path: Path) -> None:
    """As after `make demo`: the venv is not activated, so `runtime-kit` and `python` on
    the PATH are not this one's; the hint names what works, and does work when pasted."""
    script = Path(sys.executable).with_name("runtime-kit")
    env = {**os.environ, "PATH": "/usr/bin:/bin"}
    created = subprocess.run(
        [str(script), "new", "Hinted", "--no-input", "-o", "made"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert created.returncode == 0, created.stderr
    hint = created.stderr.split("next: ", 1)[1].strip()
    assert hint.startswith("cd made/hinted && ")
    assert f"{script} validate" in hint and f"{sys.executable} -m pytest" in hint
    pasted = subprocess.run(
        ["bash", "-c", hint],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert pasted.returncode == 0, pasted.stdout + pasted.stderr
    assert " passed" in pasted.stdout
