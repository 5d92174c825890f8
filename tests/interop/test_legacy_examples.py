"""The documented runtime API, run as its users wrote it: qiskit-ibmq-provider 0.20 (the
legacy venv) against ``runtime-kit serve`` over TLS with a throwaway CA.

The account comes from ``~/.qiskit/qiskitrc`` (``IBMQ.load_account()``), written as
docs/coming-from-ibmq.md says; the legacy stack trusts the CA through ``REQUESTS_CA_BUNDLE``
(its REST calls) and ``WEBSOCKET_CLIENT_CA_BUNDLE`` (its result streams, on ``wss://``).
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest

from runtime_kit.backends.snapshots.files import properties_of
from runtime_kit.backends.snapshots.provider import find_snapshot
from runtime_kit.backends.snapshots.table import SNAPSHOTS
from tests.conftest import BUILTIN_PROGRAMS
from tests.interop.legacy_env import legacy_python
from tests.service.real_server import RealServer
from tests.service.tls import throwaway_tls

EXAMPLES = Path(__file__).with_name("legacy_examples")
TIMEOUT_S = 300

pytestmark = pytest.mark.legacy


class Legacy(NamedTuple):
    server: RealServer
    token: str
    home: Path
    env: dict[str, str]

    def run(
        self, script: str, *, args: tuple[str, ...] = (), env: dict[str, str] | None = None
    ) -> str:
        """Run ``script`` (in ``legacy_examples/``, or code) in the legacy venv; its stdout."""
        path = EXAMPLES / script
        program = [str(path)] if path.is_file() else ["-c", script]
        command = [str(legacy_python()), *program, *args]
        done = subprocess.run(
            command,
            cwd=EXAMPLES,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-4000:]
        print(f"$ python {script if path.is_file() else '-c ...'}\n{done.stdout}")
        return done.stdout


@pytest.fixture(scope="module")
def legacy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Legacy]:
    root = tmp_path_factory.mktemp("legacy-examples")
    tls = throwaway_tls(root / "tls")
    server = RealServer(root / "data", *tls.serve_args(), ca_file=tls.ca).start()
    try:
        with server.http() as admin:
            token = admin.post("/tokens", json={"name": "alice", "role": "uploader"}).json()
        home = root / "home"
        (home / ".qiskit").mkdir(parents=True)
        (home / ".qiskit" / "qiskitrc").write_text(
            f"[ibmq]\ntoken = {token['token']}\nurl = {server.url}/api\n"
        )
        env = {
            "PATH": os.environ["PATH"],
            "HOME": str(home),
            "REQUESTS_CA_BUNDLE": str(tls.ca),
            "WEBSOCKET_CLIENT_CA_BUNDLE": str(tls.ca),
            "PYTHONWARNINGS": "ignore::DeprecationWarning",
        }
        yield Legacy(server, token["token"], home, env)
    finally:
        server.stop()


def test_1_programs_listed_and_printed(legacy: Legacy) -> None:
    out = legacy.run("example1_programs.py")
    listed = re.findall(r"^(\S+):\n  Name: \1$", out, re.MULTILINE)
    count = len(BUILTIN_PROGRAMS)
    assert listed[:count] == BUILTIN_PROGRAMS
    assert listed[count] == "circuit-runner"  # print(program)
    assert "- measurement_error_mitigation:\n            Type: boolean" in out
    assert "- circuits:\n            Type: ['object', 'array']" in out


def test_2_the_bell_pairs_quasi_probabilities(legacy: Legacy) -> None:
    out = legacy.run("example2_circuit_runner.py")
    counts = _printed(out, "counts")
    assert set(counts) == {"00 00", "11 00"} and sum(counts.values()) == 1024
    quasi = _printed(out, "quasi-probabilities")
    assert set(quasi) <= {"00", "01", "10", "11"}
    assert quasi["00"] == pytest.approx(0.5, abs=0.08)  # 1024 shots: 5 standard deviations
    assert quasi["11"] == pytest.approx(0.5, abs=0.08)
    assert sum(quasi.values()) == pytest.approx(1.0, abs=1e-4)


def test_3_three_interim_results_through_the_callback(legacy: Legacy) -> None:
    out = legacy.run("example3_callback.py")
    streamed = _lines(out, "interim result")
    interim = [ast.literal_eval(line) for line in streamed[:3]]
    assert [message["iteration"] for message in interim] == [0, 1, 2]
    assert all(sum(message["counts"].values()) == 1024 for message in interim)
    assert streamed[3:] == []  # the callback gets interim results only, as on IBM's service
    assert _lines(out, "result") == ["All done!"]


def test_4_an_uploaded_program_runs_and_is_deleted(legacy: Legacy) -> None:
    out = legacy.run("example4_upload.py")
    (program_id,) = _lines(out, "uploaded")
    assert re.fullmatch(r"my-vqe-[A-Za-z0-9]{10}", program_id)
    result = _printed(out, "result")
    assert result["energy"] == pytest.approx(-1.0, abs=0.1) and result["evaluations"] >= 10
    assert _lines(out, "deleted") == [program_id]
    with legacy.server.http() as admin:
        assert admin.get(f"/programs/{program_id}").status_code == 404


def test_enable_account_lists_the_services_backends(legacy: Legacy) -> None:
    out = legacy.run("accounts.py", args=(legacy.token, f"{legacy.server.url}/api"))
    assert _lines(out, "provider") == [
        "<AccountProvider for IBMQ(hub='ibm-q', group='open', project='main')>"
    ]
    assert _printed(out, "backends") == [
        "ibmq_qasm_simulator", "aer_simulator", "basic_simulator", "generic-5", "noisy-5",
        *(snapshot.name for snapshot in SNAPSHOTS),
    ]  # fmt: skip
    assert _lines(out, "ibmq_qasm_simulator") == ["28 qubits, simulator True"]  # 4 GiB a job
    assert _lines(out, "status") == ["True active 0"]
    assert _lines(out, "properties") == ["None"]  # simulators have none
    assert _lines(out, "noisy-5") == ["5 qubits, simulator False"]
    assert _printed(out, "readout errors") == pytest.approx([0.035, 0.045, 0.055, 0.05, 0.04])
    assert _lines(out, "runtime") == ["True"]
    assert _lines(out, "save_account") == ["refuses any url but IBM's (the provider's own check)"]
    assert _lines(out, "ibmq_montreal") == [
        "27 qubits, simulator False, 56 couplings, basis ['id', 'rz', 'sx', 'x', 'cx', 'reset']"
    ]
    montreal = find_snapshot("ibmq_montreal")
    assert montreal is not None
    calibration = properties_of(montreal)
    (t1,) = [item["value"] for item in calibration["qubits"][0] if item["name"] == "T1"]
    assert _printed(out, "montreal t1") == pytest.approx(t1 * 1e-6)  # seconds, as IBM's
    (cx,) = [g for g in calibration["gates"] if g["gate"] == "cx" and g["qubits"] == [0, 1]]
    assert _printed(out, "montreal cx") == cx["parameters"][0]["value"]


def test_load_account_from_the_environment(legacy: Legacy, tmp_path: Path) -> None:
    environment = {
        "HOME": str(tmp_path),
        "QE_TOKEN": legacy.token,
        "QE_URL": f"{legacy.server.url}/api",
    }
    code = "from qiskit import IBMQ\nprint(IBMQ.load_account().runtime.program('hello-world'))"
    out = legacy.run(code, env=environment)
    assert out.startswith("hello-world:\n  Name: hello-world\n")


def test_mitigation_on_the_noisy_backend_through_run_circuits(legacy: Legacy) -> None:
    out = legacy.run("noisy_bell.py")
    counts = _printed(out, "counts")
    shots = sum(counts.values())
    raw = {bits.split()[0]: n / shots for bits, n in counts.items()}
    mitigated = _printed(out, "quasi-probabilities")
    raw_distance, mitigated_distance = distance(raw), distance(mitigated)
    print(f"noisy-5 Bell pair, {shots} shots: distance to 50/50 raw {raw_distance:.4f}, "
          f"mitigated {mitigated_distance:.4f}")  # fmt: skip
    assert raw_distance > 0.05 and mitigated_distance < raw_distance / 3


def distance(distribution: dict[str, float]) -> float:
    """Total variation distance to the ideal Bell pair, 50 % 00 and 50 % 11."""
    ideal = {"00": 0.5, "11": 0.5}
    outcomes = set(distribution) | set(ideal)
    return sum(abs(distribution.get(o, 0.0) - ideal.get(o, 0.0)) for o in outcomes) / 2


def _lines(out: str, label: str) -> list[str]:
    """The texts printed after ``label: ``, one per line that starts with it."""
    return [line[len(label) + 2 :] for line in out.splitlines() if line.startswith(f"{label}: ")]


def _printed(out: str, label: str) -> dict:
    (text,) = _lines(out, label)
    return ast.literal_eval(text)
