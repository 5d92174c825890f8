"""A function project run locally (``run_program``, ``runtime-kit run``): arguments in,
``save_result`` out, logs and statuses as they come, errors said with the script's line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from runtime_kit import InputValueError, ProgramRejectedError, run_program
from tests.conftest import run_command
from tests.functions.conftest import make_function

#: Read when the module is imported, before the test session gives HOME a temporary folder.
PYENV_VERSIONS = Path(os.environ.get("PYENV_ROOT", "~/.pyenv")).expanduser() / "versions"


def test_arguments_in_result_out_statuses_and_logs(tmp_path: Path) -> None:
    project = make_function(tmp_path)
    seen: list[str] = []
    statuses: list[str] = []
    record = run_program(
        project, inputs={"shots": 7}, seed=1, on_log=seen.append, on_status=statuses.append
    )
    assert (record.status, record.error) == ("DONE", None)
    assert record.result == {"shots": 7, "label": None}
    assert record.statuses == statuses == ["MAPPING"]
    assert "[PUBLIC] INFO: shots 7" in "".join(seen) and "shots 7" in record.logs


def test_the_cli_shows_statuses_and_logs_as_they_come(tmp_path: Path) -> None:
    project = make_function(tmp_path)
    ran = run_command("run", project, "--param", "shots=3", "--seed", "2")
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == 'result: {"shots": 3, "label": null}'
    # statuses come on the frames pipe, logs on the output: each in its own order
    assert "[PUBLIC] INFO: shots 3\n" in ran.stderr and "status: MAPPING\n" in ran.stderr
    assert "--- logs ---" not in ran.stderr and "DONE in" in ran.stderr


SCRIPTS = {
    "unserializable": (
        "from qiskit_serverless import save_result\nsave_result({'x': object()})\n",
        "save_result: the result cannot be serialized",
    ),
    "raises": ("x = 1\nraise RuntimeError('boom')\n", "RuntimeError: boom"),
    "exits": ("import sys\nsys.exit(3)\n", "the function's script called sys.exit(3)"),
}


@pytest.mark.parametrize("case", sorted(SCRIPTS))
def test_failures_are_errors_with_their_cause(case: str, tmp_path: Path) -> None:
    script, message = SCRIPTS[case]
    record = run_program(make_function(tmp_path, script), seed=1)
    assert record.status == "ERROR" and message in (record.error or ""), record.error
    if case != "exits":
        assert "main.py" in (record.traceback or ""), record.traceback


def test_nothing_saved_is_no_result_and_a_bad_status_a_warning(tmp_path: Path) -> None:
    script = (
        "import sys\nfrom qiskit_serverless import update_status, is_running_in_serverless\n"
        "print(update_status('DANCING'), is_running_in_serverless(), sys.exit(0))\n"
    )
    record = run_program(make_function(tmp_path, script), seed=1)
    assert (record.status, record.result, record.statuses) == ("DONE", None, [])
    assert "'sub_status' 'DANCING' is not valid" in record.logs


def test_a_script_in_a_folder_imports_its_neighbours_and_sees_its_working_dir(
    tmp_path: Path,
) -> None:
    project = make_function(tmp_path, entrypoint="1")
    (project / "src" / "jobs").mkdir()
    (project / "src" / "helpers.py").write_text("VALUE = 'root'\n")
    (project / "src" / "jobs" / "near.py").write_text("VALUE = 'near'\n")
    (project / "src" / "data.txt").write_text("data")
    (project / "src" / "jobs" / "run.py").write_text(
        "from pathlib import Path\nimport helpers, near\n"
        "from qiskit_serverless import save_result\n"
        "save_result([helpers.VALUE, near.VALUE, Path('data.txt').read_text()])\n"
    )
    document = json.loads((project / "function.json").read_text())
    (project / "function.json").write_text(json.dumps({**document, "entrypoint": "jobs/run.py"}))
    record = run_program(project, seed=1)
    assert record.result == ["root", "near", "data"], record.error


def test_bad_arguments_and_broken_projects_are_refused_before_running(tmp_path: Path) -> None:
    project = make_function(tmp_path / "ok")
    with pytest.raises(InputValueError, match="argument 'shots': 0 is less than"):
        run_program(project, inputs={"shots": 0})
    with pytest.raises(InputValueError, match="Additional properties"):
        run_program(project, params={"other": 1})
    broken = make_function(tmp_path / "broken", entrypoint="def (:\n")
    with pytest.raises(ProgramRejectedError, match="RK301"):
        run_program(broken)
    ran = run_command("run", project, "--param", "shots=-2")
    assert ran.returncode == 2 and "argument 'shots'" in ran.stderr


def test_the_time_limit_ends_a_run(tmp_path: Path) -> None:
    project = make_function(tmp_path, "import time\ntime.sleep(60)\n")
    record = run_program(project, timeout=3, seed=1)
    assert record.status == "CANCELLED - RAN TOO LONG" and "ran longer than 3 s" in record.error


def test_the_stand_in_is_served_over_an_installed_qiskit_serverless(tmp_path: Path) -> None:
    """A package named qiskit_serverless on the path (standing in for the installed client,
    whose update_status would go to a gateway over the network) does not win inside a job."""
    fake = tmp_path / "site" / "qiskit_serverless"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('the installed client was imported')\n")
    code = (
        "import sys; sys.path.insert(0, sys.argv[1])\n"
        "from runtime_kit.harness.legacy_modules import install_legacy_modules\n"
        "install_legacy_modules()\n"
        "import qiskit_serverless\n"
        "from qiskit_serverless import Job, get_arguments\n"
        "print(qiskit_serverless.__runtime_kit_legacy__, Job.MAPPING)\n"
        "try:\n    get_arguments()\nexcept qiskit_serverless.QiskitServerlessException as e:\n"
        "    print(e)\n"
    )
    shown = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "site")],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    lines = shown.stdout.splitlines()
    assert lines[0] == "True MAPPING"
    assert "works inside a function's job" in lines[1]


def test_the_served_names_are_the_stand_ins() -> None:
    from runtime_kit.harness.legacy_modules import SERVERLESS_EXPORTS
    from runtime_kit.jobside import serverless

    assert sorted(SERVERLESS_EXPORTS) == sorted(serverless.__all__)


def test_a_function_in_an_environment_of_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Python 3.10 and no packages: the job side's standard-library runner serves
    qiskit_serverless there too; with no qiskit there is no backend, and it says so."""
    from tests.environments.conftest import ENVIRONMENTS

    if not list(PYENV_VERSIONS.glob("3.10.*")):
        pytest.skip("no Python 3.10 here (pyenv)")
    ENVIRONMENTS.mkdir(parents=True, exist_ok=True)
    monkeypatch.setenv("RUNTIME_KIT_ENVIRONMENTS_DIR", str(ENVIRONMENTS))
    script = (
        "import sys\nfrom qiskit_serverless import get_arguments, save_result, update_status\n"
        "update_status('MAPPING')\n"
        "save_result({'python': sys.version_info[:2], 'shots': get_arguments()['shots']})\n"
    )
    project = make_function(tmp_path / "pure", script)
    (project / "src" / ".python-version").write_text("3.10\n")
    record = run_program(project, inputs={"shots": 4}, seed=1)
    assert (record.status, record.error) == ("DONE", None)
    assert record.result == {"python": [3, 10], "shots": 4} and record.statuses == ["MAPPING"]
    no_backend = make_function(
        tmp_path / "nobackend",
        "from qiskit_serverless import get_runtime_service\nget_runtime_service().backend()\n",
    )
    (no_backend / "src" / ".python-version").write_text("3.10\n")
    failed = run_program(no_backend, seed=1)
    assert failed.status == "ERROR" and "has no qiskit" in (failed.error or "")
