"""IBM's tutorial notebooks (Qiskit-Partners/qiskit-runtime) that need neither IBM's devices nor
the Qiskit they were written for, cell by cell: our own scripts make the same calls in the same
order (``notebooks/``; the notebooks are not ours to copy), in the legacy venv
(qiskit-ibmq-provider 0.20.2) against ``runtime-kit serve`` over TLS, with the account stored
as docs/coming-from-ibmq.md says.  The token has the instances
``ibm-q-internal/near-time/qiskit-runtime`` and ``ibm-q-internal/deployed/default`` besides the
open one, as the tutorials' authors had (their ``get_provider(project="qiskit-runtime")`` and
``get_provider(group="deployed")``).  docs/coming-from-ibmq.md keeps the table
of what runs."""

from __future__ import annotations

import ast
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest

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

    def run(self, script: str) -> str:
        done = subprocess.run(
            [str(legacy_python()), str(NOTEBOOKS / script)],
            cwd=NOTEBOOKS,
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
    server = RealServer(root / "data", *tls.serve_args(), ca_file=tls.ca).start()
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
    # cell 83: run by its name; the program calls bind_parameters, gone in qiskit 2: it
    # needs the Qiskit it was written for (the program-environments change)
    ran, failure, named = lines(out, "cell 83")
    assert named == "program ieee-runtime-tutorial"  # the job as the provider holds it
    assert "bind_parameters" in failure
    with stack.server.http() as admin:
        assert admin.get(f"/jobs/{ran}").json()["program"] == {"id": uploaded}
    assert lines(out, "cell 86") == ["RuntimeJobFailureError"]
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
