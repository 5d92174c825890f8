"""The IBM Quantum bridge, offline: qiskit-ibm-runtime's local testing mode (channel
``local``: its fake devices run through the library's real Sampler, Batch and Session)
stands in for the platform.  No mock: the network layer that local mode does not cover is
tested only where it fails (an account that cannot be reached)."""

from __future__ import annotations

import base64
import io
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister, qpy, transpile
from qiskit.primitives.containers import BitArray

from runtime_kit.backends.ibm_quantum import results
from runtime_kit.backends.ibm_quantum.account import open_account
from runtime_kit.backends.ibm_quantum.broker import HardwareBroker
from runtime_kit.backends.ibm_quantum.credentials import Credentials, load_credentials
from runtime_kit.errors import ConfigurationError
from runtime_kit.harness.broker import BrokerError

RUNTIME_KIT = str(Path(sys.executable).with_name("runtime-kit"))
LOCAL = Credentials(channel="local", source="tests")
CANARY = "canary-token-7f3e1b"


def ghz_with_two_registers() -> QuantumCircuit:
    circuit = QuantumCircuit(QuantumRegister(3, "q"), ClassicalRegister(2, "c"),
                             ClassicalRegister(1, "d"), name="ghz", metadata={"k": 1})  # fmt: skip
    circuit.h(0)
    circuit.cx(0, 1)
    circuit.x(2)
    circuit.measure([0, 1], [0, 1])
    circuit.measure(2, 2)
    return circuit


# --- credentials ----------------------------------------------------------------------------


def test_credentials_from_a_toml_or_json_file(tmp_path: Path) -> None:
    toml = tmp_path / "account.toml"
    toml.write_text('token = "t0k"\ninstance = "crn:v1:x"\n')
    read = load_credentials(toml, environ={})
    assert (read.channel, read.token, read.instance, read.url) == (
        "ibm_quantum_platform",
        "t0k",
        "crn:v1:x",
        None,
    )
    assert "t0k" not in repr(read)
    as_json = tmp_path / "account.json"
    as_json.write_text('{"channel": "local"}')
    assert load_credentials(as_json, environ={}).local


def test_credentials_from_the_environment_leave_it() -> None:
    environ = {"RUNTIME_KIT_IBM_QUANTUM_TOKEN": "t0k", "RUNTIME_KIT_IBM_QUANTUM_INSTANCE": "i",
               "OTHER": "kept"}  # fmt: skip
    read = load_credentials(None, environ=environ)
    assert (read.token, read.instance) == ("t0k", "i")
    assert environ == {"OTHER": "kept"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('token = "t"\npassword = "p"\n', "unknown credential 'password'"),
        ('instance = "i"\n', "no IBM Quantum token"),
        ('token = "t"\nchannel = "ibm_quantum"\n', "unknown channel 'ibm_quantum'"),
        ("token = 3\n", "token must be a string"),
        ("token = [", "not valid TOML"),
    ],
)
def test_credentials_that_cannot_work_are_refused(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "account.toml"
    path.write_text(text)
    with pytest.raises(ConfigurationError, match=message):
        load_credentials(path, environ={})
    with pytest.raises(ConfigurationError, match="cannot read the credentials"):
        load_credentials(tmp_path / "missing.toml", environ={})


def test_an_account_that_cannot_be_reached_is_a_configuration_error() -> None:
    unreachable = Credentials(token="t0k", url="https://127.0.0.1:9", source="tests")
    with pytest.raises(ConfigurationError, match="cannot open the account"):
        open_account(unreachable)


# --- results --------------------------------------------------------------------------------


def test_headers_are_aers() -> None:
    from qiskit_aer import AerSimulator

    circuit = ghz_with_two_registers()
    ran = AerSimulator().run(circuit, shots=10).result()
    assert dict(ran.results[0].header) == results.header(circuit)


def test_memory_words_put_each_register_bit_where_the_circuit_has_it() -> None:
    circuit = QuantumCircuit(QuantumRegister(1), ClassicalRegister(3, "a"),
                             ClassicalRegister(9, "b"))  # fmt: skip
    a = BitArray.from_samples(["101", "000"], num_bits=3)  # a[0] is the last character
    b = BitArray.from_samples(["100000001", "000000010"], num_bits=9)
    registers = {
        name: {"bits": value.num_bits, "data": base64.b64encode(value.array.tobytes()).decode()}
        for name, value in (("a", a), ("b", b))
    }
    assert results.memory_words(circuit, registers, 2) == [
        int("100000001" + "101", 2),
        int("000000010" + "000", 2),
    ]


def test_an_experiment_counts_its_memory() -> None:
    circuit = ghz_with_two_registers()
    c = BitArray.from_samples(["11", "00", "11"], num_bits=2)
    d = BitArray.from_samples(["1", "1", "0"], num_bits=1)
    measured = {"shots": 3, "registers": {
        "c": {"bits": 2, "data": base64.b64encode(c.array.tobytes()).decode()},
        "d": {"bits": 1, "data": base64.b64encode(d.array.tobytes()).decode()},
    }}  # fmt: skip
    result = results.legacy_result(
        [results.experiment(circuit, measured, memory=True, ibm_job_id="j1")],
        backend="fake_manila", job_id="j1", ibm_job_id="j1",
    )  # fmt: skip
    assert result.get_memory(0) == ["1 11", "1 00", "0 11"]
    assert result.get_counts(0) == {"1 11": 1, "1 00": 1, "0 11": 1}


# --- the broker, on the local testing mode ---------------------------------------------------


@pytest.fixture(scope="module")
def broker() -> HardwareBroker:
    return HardwareBroker(open_account(LOCAL))


def qpy_of(*circuits: QuantumCircuit) -> str:
    buffer = io.BytesIO()
    qpy.dump(list(circuits), buffer)
    return base64.b64encode(buffer.getvalue()).decode()


def test_the_broker_runs_a_jobs_circuits_on_its_device_only(broker: HardwareBroker) -> None:
    notes: list[tuple[str, str]] = []
    broker.on_note = lambda job_id, text: notes.append((job_id, text))
    made: list[tuple[str, str, str]] = []
    broker.on_job = lambda job_id, ibm_job_id, device: made.append((job_id, ibm_job_id, device))
    broker.begin("job-1", ["ibm-quantum", "fake_manila"])
    described = broker.handle("job-1", {"op": "describe"})
    assert described["configuration"]["backend_name"] == "fake_manila"
    assert len(described["properties"]["qubits"]) == 5
    device = broker.account.device("fake_manila")
    isa = transpile(ghz_with_two_registers(), device, seed_transpiler=1)
    submitted = broker.handle(
        "job-1", {"op": "submit", "circuits": qpy_of(isa, isa), "shots": 64, "seed": 5}
    )
    assert made == [("job-1", submitted["ibm_job_id"], "fake_manila")]
    answer = broker.handle("job-1", {"op": "result", "job": submitted["job"]})
    assert [e["shots"] for e in answer["experiments"]] == [64, 64]
    assert set(answer["experiments"][0]["registers"]) == {"c", "d"}
    session = broker.handle("job-1", {"op": "open_session"})["session"]
    in_session = broker.handle("job-1", {"op": "submit", "circuits": qpy_of(isa), "shots": 8,
                                         "session": session})  # fmt: skip
    assert broker.handle("job-1", {"op": "result", "job": in_session["job"]})["experiments"]
    assert broker.handle("job-1", {"op": "close_session", "session": session}) == {}
    broker.begin("job-2", ["ibm-quantum", "fake_manila"])
    with pytest.raises(BrokerError, match="no IBM job"):
        broker.handle("job-2", {"op": "result", "job": submitted["job"]})  # job-1's
    broker.end("job-1")
    broker.end("job-2")
    assert notes == []  # nothing was left running
    with pytest.raises(BrokerError, match="this job has no IBM Quantum device"):
        broker.handle("job-1", {"op": "describe"})


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        ({"op": "rm -rf"}, "unknown request 'rm -rf'"),
        ({"op": "submit", "circuits": "AAAA", "shots": 0}, "shots must be an integer from 1"),
        ({"op": "submit", "circuits": "not base64!", "shots": 10}, "circuits cannot be read"),
        ({"op": "submit", "circuits": 3, "shots": 10}, "circuits must be QPY data"),
        ({"op": "submit", "circuits": "AAAA", "shots": 10, "seed": -1}, "seed must be"),
        ({"op": "close_session", "session": "9"}, "no open session '9'"),
    ],
)
def test_the_broker_refuses_what_it_cannot_do(
    broker: HardwareBroker, request_: dict[str, Any], message: str
) -> None:
    broker.begin("job-3", ["ibm-quantum", "fake_manila"])
    try:
        with pytest.raises(BrokerError, match=message):
            broker.handle("job-3", request_)
    finally:
        broker.end("job-3")


def test_a_job_makes_at_most_so_many_ibm_jobs() -> None:
    limited = HardwareBroker(open_account(LOCAL), max_runs_per_job=1)
    limited.begin("job-5", ["ibm-quantum", "fake_manila"])
    isa = transpile(ghz_with_two_registers(), limited.account.device("fake_manila"))
    request = {"op": "submit", "circuits": qpy_of(isa), "shots": 10}
    limited.handle("job-5", request)
    with pytest.raises(BrokerError, match="this job has made 1 IBM jobs, the most one job"):
        limited.handle("job-5", request)
    limited.end("job-5")


def test_when_a_job_ends_its_unfinished_ibm_jobs_are_cancelled(broker: HardwareBroker) -> None:
    notes: list[tuple[str, str]] = []
    broker.on_note = lambda job_id, text: notes.append((job_id, text))
    broker.begin("job-4", ["ibm-quantum", "fake_sherbrooke"])  # local mode: seconds a job
    device = broker.account.device("fake_sherbrooke")
    isa = transpile(ghz_with_two_registers(), device, seed_transpiler=1)
    submitted = broker.handle("job-4", {"op": "submit", "circuits": qpy_of(isa), "shots": 100})
    broker.end("job-4")
    (note,) = notes
    assert note[0] == "job-4"
    assert note[1].startswith(f"IBM job {submitted['ibm_job_id']} cancelled (it was ")


# --- runtime-kit run, with the broker in its own process -------------------------------------

PROGRAM = """
import os
from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister, transpile
from qiskit.primitives import BackendSamplerV2
from qiskit_aer.primitives import SamplerV2

def main(backend, user_messenger, shots=200):
    circuit = QuantumCircuit(QuantumRegister(3, "q"), ClassicalRegister(2, "c"),
                             ClassicalRegister(1, "d"), name="ghz", metadata={"k": 1})
    circuit.h(0)
    circuit.cx(0, 1)
    circuit.x(2)
    circuit.measure([0, 1], [0, 1])
    circuit.measure(2, 2)
    result = backend.run(circuit, shots=shots, memory=True).result()
    seen = {"counts": result.get_counts(), "memory": result.get_memory(),
            "header": dict(result.results[0].header), "name": backend.name()}
    if backend.name() != "aer_simulator":
        isa = transpile(circuit, backend)
        with backend.session():
            seen["in_session"] = backend.run(isa, shots=20).result().get_counts()
        primitive = SamplerV2.from_backend(backend)
        seen["aer_sampler"] = type(primitive).__name__
        pub = BackendSamplerV2(backend=backend).run([isa], shots=30).result()[0]
        seen["sampler_shots"] = pub.data.c.num_shots
        environment = open("/proc/self/environ", "rb").read().decode(errors="replace")
        seen["token_seen"] = any("CANARY" in value for value in
                                 [*os.environ.values(), environment.replace("CANARY", "canary")])
    return seen
""".replace("CANARY", CANARY)


def run_program(
    tmp_path: Path, backend: str, *extra: str, env: dict[str, str] | None = None
) -> Any:
    program = tmp_path / "program"
    program.mkdir(exist_ok=True)
    (program / "metadata.json").write_text('{"name": "hw", "max_execution_time": 600}')
    (program / "program.py").write_text(PROGRAM)
    done = subprocess.run(
        [RUNTIME_KIT, "run", str(program), "--backend", backend, "--seed", "3", "--json", *extra],
        capture_output=True, text=True, timeout=600, check=False, env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_runtime_kit_run_reaches_the_device_through_its_broker(tmp_path: Path) -> None:
    import os

    credentials = tmp_path / "account.toml"
    credentials.write_text('channel = "local"\n')
    env = {**os.environ, "RUNTIME_KIT_IBM_QUANTUM_TOKEN": CANARY}
    hardware = run_program(
        tmp_path, "fake_manila", "--backend-provider", "ibm-quantum",
        "--ibm-quantum-credentials", str(credentials), env=env,
    )  # fmt: skip
    simulator = run_program(tmp_path, "aer_simulator")
    seen, ideal = hardware["result"], simulator["result"]
    assert seen["header"] == ideal["header"]  # the legacy Result, as the simulator's
    assert Counter(seen["memory"]) == seen["counts"] and len(seen["memory"]) == 200
    assert set(ideal["counts"]) == {"1 00", "1 11"}
    assert seen["counts"]["1 00"] + seen["counts"]["1 11"] > 150  # the device is noisy
    assert sum(seen["in_session"].values()) == 20
    assert (seen["aer_sampler"], seen["sampler_shots"]) == ("BackendSamplerV2", 30)
    assert seen["token_seen"] is False
    made = [line for line in hardware["logs"].splitlines() if "IBM Quantum job" in line]
    assert len(made) == 3 and all(" on fake_manila: " in line for line in made)


def test_the_hardware_provider_needs_credentials(tmp_path: Path) -> None:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("RUNTIME_KIT_IBM_QUANTUM_")}
    done = subprocess.run(
        [RUNTIME_KIT, "backends", "list", "--backend-provider", "ibm-quantum"],
        capture_output=True, text=True, timeout=300, check=False, env=env,
    )  # fmt: skip
    assert done.returncode == 3
    assert "no IBM Quantum token" in done.stderr


def test_a_brokered_run_without_a_broker_says_so() -> None:
    from runtime_kit.harness import broker_client

    with pytest.raises(broker_client.BrokerRequestError, match="describe: this process has no"):
        broker_client.request("describe")
