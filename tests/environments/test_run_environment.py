"""``runtime-kit run`` of programs written for an older Qiskit, in environments of their own
(built for real with uv from PyPI; reused from the test cache after the first run)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from runtime_kit import run_program
from runtime_kit.errors import ProgramEnvironmentError
from tests.conftest import run_command
from tests.environments.conftest import PROGRAMS, legacy_encoded

#: A first run builds the environments (terra 0.23, terra 0.18 on Python 3.8): minutes on a
#: loaded machine; later runs reuse them from the shared test cache.
pytestmark = pytest.mark.timeout(1800)

PAULI_SUM_OP = (
    "from qiskit.opflow import PauliSumOp\n"
    "VALUE = {'operator': PauliSumOp.from_list([('ZZ', 1.0), ('XI', 0.4), ('IX', 0.4)]),"
    " 'maxiter': 6, 'shots': 512}"
)


@pytest.mark.legacy
def test_a_terra_023_program_runs_unchanged(environments_dir: Path) -> None:
    """opflow, VQE on a QuantumInstance, ignis mitigation, the provider's imports; its
    input a PauliSumOp encoded by the legacy client; interim results as they come."""
    built: list[str] = []
    interim: list[dict[str, object]] = []
    record = run_program(
        PROGRAMS / "terra023-vqe",
        inputs_text=legacy_encoded(PAULI_SUM_OP),
        seed=11,
        on_build=built.append,
        on_interim=lambda index, text: interim.append(json.loads(text)),
    )
    assert record.status == "DONE", (record.error, record.traceback, record.logs[-3000:])
    result = record.result
    assert isinstance(result, dict) and -2.0 <= result["energy"] <= 2.0
    assert len(interim) >= 6
    assert [message["evaluation"] for message in interim] == list(range(1, len(interim) + 1))
    assert all(isinstance(message["energy"], float) for message in interim)
    assert record.backend == "aer_simulator"
    again = run_program(
        PROGRAMS / "terra023-vqe", inputs_text=legacy_encoded(PAULI_SUM_OP), seed=11
    )
    assert again.result_text == record.result_text  # the run's seed repeats it, call by call
    if built:  # first run on this machine: the build said so (or another test's, meanwhile)
        assert any(
            line.startswith("building environment ") or "was built by another job" in line
            for line in built
        ), built


@pytest.mark.legacy
def test_a_terra_018_program_runs_on_python_3_8(environments_dir: Path) -> None:
    """BaseBackend and 0.18's Optimizer interface on Python 3.8; python-constraint 1.4.0
    (published only as .tar.bz2, which uv no longer reads) repacked for uv."""
    built: list[str] = []
    interim: list[dict[str, object]] = []
    operator = [["ZZ", 1.0], ["XI", 0.4], ["IX", 0.4]]
    repacked = environments_dir / "repacked" / "python_constraint-1.4.0.tar.gz"
    repacked_before = repacked.exists()  # by an earlier build of this cache (a service's)
    record = run_program(
        PROGRAMS / "terra018-vqe",
        params={"operator": operator, "maxiter": 1},
        seed=2,
        on_build=built.append,
        on_interim=lambda index, text: interim.append(json.loads(text)),
    )
    assert record.status == "DONE", (record.error, record.traceback, record.logs[-3000:])
    result = record.result
    assert isinstance(result, dict)
    assert result["terra"] == "0.18.3" and result["backend_class"] == "AerSimulator"
    assert [m["evaluation"] for m in interim] == list(range(1, result["evaluations"] + 1))
    assert result["energy"] == interim[-1]["energy"] or result["energy"] <= interim[0]["energy"]
    if built and not repacked_before:  # the first build here: the repacking said so
        assert any("python-constraint 1.4.0 is published only in a format" in b for b in built)
    assert repacked.is_file()
    # a circuit the legacy client (qiskit-terra 0.23) encoded: QPY 6, which 0.18 cannot read
    ansatz = legacy_encoded(
        "from qiskit.circuit.library import TwoLocal\n"
        "VALUE = {'ansatz': TwoLocal(2, 'ry', 'cz', reps=1), 'operator': "
        f"{operator!r}}}"
    )
    refused = run_program(PROGRAMS / "terra018-vqe", inputs_text=ansatz, seed=2)
    assert refused.status == "ERROR"
    assert refused.error == (
        "InputsUndecodable: the inputs cannot be decoded in the program's environment "
        "(runtime_kit_jobside.portable): ValueError: a QuantumCircuit in QPY version 6, "
        "written by a newer Qiskit than this environment's (0.18.3), which reads QPY up to "
        "version 1: encode it with the program's own Qiskit"
    )


def test_run_shows_the_build_and_a_bad_requirement_fails_with_the_resolvers_words(
    environments_dir: Path, tmp_path: Path
) -> None:
    program = tmp_path / "unresolvable"
    shutil.copytree(PROGRAMS / "terra023-vqe", program)
    (program / "requirements.txt").write_text("qiskit-terra==0.23.*\nqiskit-terra<0.20\n")
    done = run_command("run", program, "--param", 'operator={"a": 1}')
    assert done.returncode == 1
    assert "[runtime-kit] resolving 2 requirement(s) for Python 3.10" in done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("error: the requirements do not resolve: ")
    assert "qiskit-terra" in last


def test_no_interpreter_of_the_python_it_names_is_said_in_one_line(tmp_path: Path) -> None:
    program = tmp_path / "future"
    shutil.copytree(PROGRAMS / "terra023-vqe", program)
    (program / ".python-version").write_text("3.99\n")
    with pytest.raises(ProgramEnvironmentError, match=r"no Python ==3\.99\.\* on this host"):
        run_program(program, params={"operator": {}})
    done = run_command("validate", program)
    assert done.returncode == 1 and ".python-version:1:1: RK604 no Python ==3.99.*" in done.stdout
    done = run_command("run", program)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"error: {program}/.python-version: no Python ==3.99.* on this host "
        f"(found: {done.stderr.split('(found: ')[1].split(')')[0]}); install one (pyenv install, "
        "or the system's package) or declare another version"
    ]


def test_validate_resolve_says_what_does_not_resolve(
    tmp_path: Path, environments_dir: Path
) -> None:
    program = tmp_path / "unresolvable"
    shutil.copytree(PROGRAMS / "terra023-vqe", program)
    (program / "requirements.txt").write_text("qiskit-terra==0.23.*\nqiskit-terra<0.20\n")
    assert run_command("validate", program).returncode == 0  # the syntax is fine
    done = run_command("validate", "--resolve", program)
    assert done.returncode == 1
    assert f"{program}/requirements.txt:0:0: RK605 the requirements do not resolve: " in done.stdout
    assert run_command("validate", "--resolve", PROGRAMS / "terra023-vqe").returncode == 0
