"""IBM's tutorial notebooks (Qiskit-Partners/qiskit-runtime), cell by cell: our own scripts
make the same calls in the same order (``notebooks/``; the notebooks are not ours to copy), in
the legacy venv (qiskit-ibmq-provider 0.20.2) against ``runtime-kit serve`` over TLS, with the
account stored as docs/coming-from-ibmq.md says, and check what the notebooks' recorded
outputs show.  The token has the instances ``ibm-q-internal/near-time/qiskit-runtime`` and
``ibm-q-internal/deployed/default`` besides the open one, as the tutorials' authors had
(their ``get_provider(project="qiskit-runtime")`` and ``get_provider(group="deployed")``);
``ibmq_montreal`` and ``ibmq_manila`` are device snapshots.  Programs written for the Qiskit
of their day (sample_vqe.py, QCE21's) run in environments of their own, built once into the
shared test cache (tests/environments).  The vqe and qka notebooks need qiskit-nature's venv:
test_legacy_applications.py.  docs/coming-from-ibmq.md keeps the table of what runs."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest

from tests.environments.conftest import ENVIRONMENTS, PROGRAMS
from tests.environments.owner_domains import forget_owner_domains
from tests.interop.legacy_env import legacy_python
from tests.service.real_server import RealServer
from tests.service.tls import throwaway_tls

NOTEBOOKS = Path(__file__).with_name("notebooks")
INSTANCE = "ibm-q-internal/near-time/qiskit-runtime"
#: The sample programs' notebooks select their provider by group: get_provider(group="deployed").
DEPLOYED = "ibm-q-internal/deployed/default"
TIMEOUT_S = 600

pytestmark = pytest.mark.legacy


class Stack(NamedTuple):
    server: RealServer
    env: dict[str, str]

    def run(self, script: str, *, cwd: Path = NOTEBOOKS) -> str:
        done = subprocess.run(
            [str(legacy_python()), str(NOTEBOOKS / script)],
            cwd=cwd,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-4000:]
        print(done.stdout)
        return done.stdout


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    root = tmp_path_factory.mktemp("notebooks")
    tls = throwaway_tls(root / "tls")
    ENVIRONMENTS.mkdir(parents=True, exist_ok=True)  # built once, shared with their tests
    server = RealServer(
        root / "data", *tls.serve_args(), "--environments-dir", str(ENVIRONMENTS),
        ca_file=tls.ca,
    ).start()  # fmt: skip
    try:
        with server.http() as admin:
            for instance in (INSTANCE, DEPLOYED):
                assert admin.post("/instances", json={"instance": instance}).status_code == 200
            body = {"name": "tutor", "role": "uploader", "instances": [INSTANCE, DEPLOYED]}
            token = admin.post("/tokens", json=body).json()["token"]
        home = root / "home"
        (home / ".qiskit").mkdir(parents=True)
        (home / ".qiskit" / "qiskitrc").write_text(
            f"[ibmq]\ntoken = {token}\nurl = {server.url}/api\n"
        )
        env = {
            "PATH": os.environ["PATH"],
            "HOME": str(home),
            "REQUESTS_CA_BUNDLE": str(tls.ca),
            "WEBSOCKET_CLIENT_CA_BUNDLE": str(tls.ca),
            "PYTHONWARNINGS": "ignore",
            "QE_TOKEN": token,  # the HTTP cells read it, as the notebook does
            "RUNTIME_API_URL": f"{server.url}/",
        }
        yield Stack(server, env)
    finally:
        server.stop()
        forget_owner_domains(ENVIRONMENTS)


def lines(out: str, label: str) -> list[str]:
    return [line[len(label) + 2 :] for line in out.splitlines() if line.startswith(f"{label}: ")]


def test_02_uploading_program(stack: Stack) -> None:
    out = stack.run("tutorial_02_uploading_program.py")
    published = [line for line in out.splitlines() if line.startswith('{"iteration"')]
    assert len(published) == 3  # cell 30: UserMessenger prints each interim result
    assert lines(out, "cell 30") == ["returned 'All done!'"]
    assert lines(out, "cell 34") == ["metadata name hello-world"]
    hub, group, project = INSTANCE.split("/")
    provider = f"<AccountProvider for IBMQ(hub='{hub}', group='{group}', project='{project}')>"
    assert lines(out, "cell 37")[0] == f"provider {provider}"
    program_id = lines(out, "cell 37")[1]
    # IBM's answer had this shape: hello-world-nQ9dgRjGEe
    assert re.fullmatch(r"hello-world-[A-Za-z0-9]{10}", program_id)
    assert lines(out, "cell 41") == ["A new description."]
    with stack.server.http() as admin:
        stored = admin.get(f"/programs/{program_id}").json()
    assert stored["data"] == (NOTEBOOKS / "hello_world.py").read_text()
    assert stored["spec"]["backend_requirements"] == {"min_num_qubits": 5}


@pytest.mark.timeout(1800)  # a first run builds qiskit-terra 0.23's environment (cell 83)
def test_qce21_runtime_tutorial(stack: Stack) -> None:
    out = stack.run("tutorial_qce21.py")
    assert lines(out, "cell 6")[0].strip().startswith("┌───┐")
    local = ast.literal_eval(lines(out, "cell 12")[0].removeprefix("local counts "))
    assert set(local) == {"00", "11"} and sum(local.values()) == 1000
    # cell 21: backend.run on the service (the provider's job API), 4000 shots by default
    counts = ast.literal_eval(lines(out, "cell 22")[0].removeprefix("counts "))
    assert set(counts) == {"00", "11"} and sum(counts.values()) == 4000
    assert lines(out, "cell 37") == ["hello-world:"]
    assert "==================================================\nhello-world:\n" in out  # cell 39
    # cell 50: two callbacks, then the result: as in the notebook's own output
    start = out.index("cell 49: ")
    after = out[start:].splitlines()[1:4]
    assert [line.split(":")[0] for line in after] == ["interim result"] * 2 + ["All done!"]
    assert lines(out, "cell 53")[0] == "requirements {'min_num_qubits': 5}"
    backends = ast.literal_eval(lines(out, "cell 53")[1].removeprefix("backends "))
    assert "ibmq_qasm_simulator" in backends and "noisy-5" in backends
    job_id = lines(out, "cell 49")[0]
    assert lines(out, "cell 57") == [
        f"{job_id} of hello-world",
        "on ibmq_qasm_simulator with {'iterations': 2}",
    ]
    assert ast.literal_eval(lines(out, "cell 58")[0])[0] == job_id
    assert lines(out, "cell 74") == ["local [{'0': 1024}, {'0': 1024}]"]
    # cell 77: qiskit-ibmq-provider 0.20.2 takes program text as str only (0.17 took bytes)
    assert lines(out, "cell 77")[0].startswith("TypeError: ")
    uploaded = lines(out, "cell 77")[1].removeprefix("meant: ")
    assert re.fullmatch(r"ieee-runtime-tutorial-[A-Za-z0-9]{10}", uploaded)
    assert lines(out, "cell 81") == [f"{uploaded}:"]
    # cell 83: run by its name; the program calls bind_parameters, gone in qiskit 2: the
    # text uploaded as meant declares qiskit-terra 0.23 in a # /// script block, and the job
    # runs in that environment: 12 angles, 12 counts of Aer's 1024 shots
    ran, final, first, named = lines(out, "cell 83")
    assert named == "program ieee-runtime-tutorial"  # the job as the provider holds it
    assert final == "final result: 12 counts of [1024] shots"
    assert first == "first {'0': 1024}"  # angle 0: H RZ(0) H is the identity
    with stack.server.http() as admin:
        assert admin.get(f"/jobs/{ran}").json()["program"] == {"id": uploaded}
    assert lines(out, "cell 86") == ["EquatorResult"]
    assert lines(out, "cell 90") == ["deleted"]  # by its name
    # cell 101: 0.20.2's upload_program has no name= (0.17's had)
    assert lines(out, "cell 101")[0].startswith("TypeError: ")
    assert lines(out, "cell 103")[1] == (
        "received a <class 'str'>; from_json() made it a <class 'program.Carried'>"
    )
    assert lines(out, "cell 105") == ["deleted"]
    # cell 113: the notebook iterates the answer as the 2021 API's bare list; the API it
    # documents since (qiskit-ibmq-provider 0.18) answers {"programs": [...], "count"}
    status, error = lines(out, "cell 113")
    assert status == "status 200" and error.startswith("TypeError: string indices must be")
    assert lines(out, "cell 115") == ["status 200"]
    assert lines(out, "Final Result") == ['"All done!"']  # IBM's printed the bare string
    with stack.server.http() as admin:
        for name in ("ieee-runtime-tutorial", "ieee-runtime-tutorial2"):
            assert admin.get(f"/programs/{name}").status_code == 404


def test_sample_expval_program(stack: Stack) -> None:
    out = stack.run("tutorial_expval.py")
    assert ast.literal_eval(lines(out, "cell 7")[0]) == {
        "h": 1,
        "cx": 3,
        "barrier": 1,
        "measure": 4,
    }
    hub, group, project = DEPLOYED.split("/")
    assert lines(out, "cell 14") == [
        f"<AccountProvider for IBMQ(hub='{hub}', group='{group}', project='{project}')>"
    ]
    (program_id,) = lines(out, "cell 15")
    assert re.fullmatch(r"sample-expval-[A-Za-z0-9]{10}", program_id)  # IBM's: ...-KLGD4Kbn97
    # cells 21-26: run by the name "sample-expval" (program ids were names in 2021)
    zeros, ones, parity = ast.literal_eval(lines(out, "cell 22")[0])
    assert zeros + ones == pytest.approx(1.0) and zeros == pytest.approx(0.5, abs=0.05)
    assert parity == pytest.approx(1.0)  # even parity: 0000 and 1111 only
    zeros, ones, parity = ast.literal_eval(lines(out, "cell 26")[0])
    assert zeros + ones == pytest.approx(1.0) and parity == pytest.approx(zeros - ones)
    assert lines(out, "cell 26")[1] == "program sample-expval"
    assert lines(out, "cell 34") == ["10 circuits, 10 projectors"]
    assert lines(out, "cell 36") == []  # ibmq_manila is served (its device snapshot)
    values = ast.literal_eval(lines(out, "cell 38")[0])
    assert len(values) == 10 and all(0 <= value <= 1 for value in values)
    with stack.server.http() as admin:
        jobs = admin.get("/jobs", params={"program": program_id}).json()
    assert jobs["count"] >= 2 and all(j["group"] == "deployed" for j in jobs["jobs"])


def test_00_introduction(stack: Stack) -> None:
    out = stack.run("tutorial_00_introduction.py")
    hub, group, project = INSTANCE.split("/")
    assert lines(out, "cell 2") == [
        f"<AccountProvider for IBMQ(hub='{hub}', group='{group}', project='{project}')>"
    ]
    assert "==================================================\nhello-world:\n" in out  # cell 7
    assert "\nhello-world:\n  Name: hello-world\n" in out and "- iterations:" in out  # cell 9
    # cell 16: three callbacks on ibmq_montreal, then the result: as the notebook's output
    start = out.index("job id: ")
    job_id = out[start:].splitlines()[0].removeprefix("job id: ")
    after = out[start:].splitlines()[1:5]
    assert [line.split(":")[0] for line in after] == ["interim result"] * 3 + ["All done!"]
    interim = [ast.literal_eval(line.removeprefix("interim result: ")) for line in after[:3]]
    assert [message["iteration"] for message in interim] == [0, 1, 2]
    for message in interim:
        assert all(re.fullmatch("[01]{5}", key) for key in message["counts"])
    assert len({sum(message["counts"].values()) for message in interim}) == 1  # same shots
    assert lines(out, "cell 21") == [
        f"Job {job_id} is an execution instance of runtime program hello-world.",
        "This job ran on backend ibmq_montreal and had input parameters {'iterations': 3}",
    ]
    assert lines(out, "cell 23") == [job_id]
    assert lines(out, "cell 26") == ["deleted"]
    with stack.server.http() as admin:
        assert admin.get(f"/jobs/{job_id}").status_code == 404


def test_01_circuit_runner(stack: Stack) -> None:
    out = stack.run("tutorial_01_circuit_runner.py")
    # cell 2: a client-side matter: qiskit.ignis is not in the stack of qiskit-terra 0.23
    assert lines(out, "cell 2") == ["ModuleNotFoundError: No module named 'qiskit.ignis'"]
    assert lines(out, "cell 6") == [
        "Execute the input circuit(s) on a backend using the runtime service."
    ]
    # cells 11-16: run_circuits on ibmq_montreal (its snapshot's noise), 2048 shots
    assert lines(out, "cell 13") == ["RunnerResult"]
    raw = ast.literal_eval(lines(out, "cell 14")[0].removeprefix("counts "))
    assert sum(raw.values()) == 2048 and all(re.fullmatch("[01]{6}", key) for key in raw)
    assert max(raw, key=raw.get) == "111111"  # half of the exact distribution
    assert 0.6 < float(lines(out, "cell 16")[0]) < 0.99  # IBM's montreal: 0.839
    assert lines(out, "cell 18") == ["circuit-runner:"]
    counts = ast.literal_eval(lines(out, "cell 21")[0].removeprefix("counts "))
    assert sum(counts.values()) == 2048
    assert 0.6 < float(lines(out, "cell 22")[0]) < 0.99  # IBM's: 0.795
    # cell 24 passes the backend object where the 0.20.2 client wants its name: the client
    # JSON-encodes it before sending anything
    assert lines(out, "cell 24") == [
        "TypeError: Object of type IBMQBackend is not JSON serializable",
        "meant: backend.name()",
    ]
    kind, _, quasi = lines(out, "cell 27")[0].partition(" ")
    assert kind == "QuasiDistribution"
    assert sum(ast.literal_eval(quasi).values()) == pytest.approx(1.0)
    raw_value, mitigated, exact = (
        float(line.rpartition(": ")[2]) for line in lines(out, "cell 29")
    )
    assert exact == pytest.approx(0.4375)  # as the notebook's
    assert abs(mitigated - exact) < abs(raw_value - exact)  # mitigation helps, as IBM's did
    nearest = ast.literal_eval(lines(out, "cell 31")[0])
    assert sum(nearest.values()) == pytest.approx(1.0) and min(nearest.values()) >= 0
    assert float(lines(out, "cell 33")[0]) > float(lines(out, "cell 16")[0]) - 0.05
    assert float(lines(out, "cell 35")[0]) >= 0
    # cell 37: the physical qubits of initial_layout, as the notebook's output
    assert lines(out, "cell 37") == ["{'0': 0, '1': 1, '4': 2, '7': 3, '10': 4, '12': 5}"]


def test_api_direct(stack: Stack) -> None:
    out = stack.run("tutorial_api_direct.py")
    names = [line.split(":")[0].removeprefix("- ") for line in lines(out, "cell 8")]
    for name in ("sampler", "estimator", "vqe", "circuit-runner", "hello-world"):
        assert name in names  # IBM's list of November 2021, less qasm3-runner and sample-expval
    assert "quantum-kernel-alignment" in names
    fields = ast.literal_eval(lines(out, "cell 10")[0])
    assert {"id", "name", "cost", "description", "creation_date", "update_date", "is_public",
            "spec"} <= set(fields)  # fmt: skip
    status, job_id = re.fullmatch(r"status: (\d+), Job: (\S+)", lines(out, "cell 12")[0]).groups()
    assert status == "200"
    # cell 14: 204 while it runs, then the result (JSON text: IBM's printed the bare string)
    assert lines(out, "cell 14") == ['Final Result: "All done!"', "waited True"]
    with stack.server.http() as admin:
        job = admin.get(f"/jobs/{job_id}").json()
    assert job["backend"] == "ibmq_montreal"
    assert "/".join((job["hub"], job["group"], job["project"])) == INSTANCE


def with_script_block(program: Path) -> str:
    """The source of ``program`` (a directory: program.py, requirements.txt) as one file
    declaring its requirements in a ``# /// script`` block (PEP 723)."""
    requirements = [
        line.split("#")[0].strip()
        for line in (program / "requirements.txt").read_text().splitlines()
        if line.split("#")[0].strip()
    ]
    listed = "".join(f"#   {json.dumps(line)},\n" for line in requirements)
    block = f"# /// script\n# dependencies = [\n{listed}# ]\n# ///\n"
    return block + (program / "program.py").read_text()


@pytest.mark.timeout(1800)  # a first run builds qiskit-terra 0.23's environment
def test_sample_vqe_program(stack: Stack, tmp_path: Path) -> None:
    """Its sample_vqe.py is ours, written for qiskit-terra 0.23 and mthree as the notebook's
    was: uploaded as one file by upload_program(data="sample_vqe.py"), it declares that
    Qiskit in its # /// script block, and runs in an environment of its own."""
    (tmp_path / "sample_vqe.py").write_text(with_script_block(PROGRAMS / "sample-vqe"))
    out = stack.run("tutorial_sample_vqe.py", cwd=tmp_path)
    assert lines(out, "cell 7") == ["EfficientSU2"]  # a class in qiskit-terra 0.23
    assert lines(out, "cell 14") == ["ModuleNotFoundError: No module named 'mthree'"]
    group = DEPLOYED.split("/")[1]
    assert lines(out, "cell 29") == ["<AccountProvider for IBMQ(hub='ibm-q', group='open', "
                                     "project='main')>"]  # fmt: skip
    (program_id,) = lines(out, "cell 32")
    assert re.fullmatch(r"sample-vqe-[A-Za-z0-9]{10}", program_id)  # IBM's: ...-G3YBjmvlPr
    assert lines(out, "cell 35") == [f"{program_id}: |   Name: sample-vqe"]
    # cell 44: a plain dict, x a numpy array of EfficientSU2's 16 parameters on two qubits
    assert lines(out, "cell 44") == [
        "dict ['fun', 'message', 'nfev', 'nit', 'success', 'x'] nit 10",
        "x ndarray (16,)",
    ]
    # cells 50-51: one interim result (the parameter vector) per iteration
    assert lines(out, "cell 50") == ["nit 10"]
    assert lines(out, "cell 51") == ["10 of [16]", "last is x True"]
    assert lines(out, "cell 55") == ["OptimizeResult fun float"]
    kind, nit, energy = re.fullmatch(
        r"(\S+) nit (\d+) fun (\S+)", lines(out, "cell 62")[0]
    ).groups()
    assert kind == "OptimizeResult" and nit == "15" and -3.0 <= float(energy) <= 3.0
    assert lines(out, "cell 64") == ["15"]  # as the notebook's
    with stack.server.http() as admin:
        jobs = admin.get("/jobs", params={"program": program_id}).json()
        assert jobs["count"] == 4 and {j["group"] for j in jobs["jobs"]} == {group}
        logs = admin.get(f"/jobs/{jobs['jobs'][-1]['id']}/logs").text
    assert "bind_parameters" not in logs  # qiskit-terra 0.23 has it
