"""RuntimeService / RuntimeProgram / RuntimeJob against a real service."""

from __future__ import annotations

import json
import threading

import numpy as np
import pytest

from runtime_kit.client.errors import (
    DuplicateProgramError,
    InvalidStateError,
    JobFailureError,
    JobNotFoundError,
    JobTimeoutError,
    ProgramNotFoundError,
)
from runtime_kit.client.job import JobStatus
from runtime_kit.client.service import RuntimeService
from runtime_kit.errors import InputValueError, ServiceError
from tests.conftest import ROOT

HELLO = ROOT / "examples" / "hello"
METADATA = json.loads((HELLO / "metadata.json").read_text())
SLEEPER = (
    "import time\n\ndef main(backend, user_messenger):\n    while True:\n        time.sleep(0.1)\n"
)


def test_upload_list_show_update_visibility_delete(
    service: RuntimeService, capsys: pytest.CaptureFixture[str]
) -> None:
    program_id = service.upload_program(HELLO / "program.py", METADATA)
    assert program_id.startswith("hello-")
    with pytest.raises(DuplicateProgramError) as duplicate:
        service.upload_program(metadata=METADATA, source=(HELLO / "program.py").read_text())
    assert (duplicate.value.status, duplicate.value.method) == (409, "POST")
    assert [p.program_id for p in service.programs(refresh=True)] == [program_id]
    program = service.program(program_id)
    assert (program.name, program.max_execution_time, program.version) == ("hello", 300, "0")
    namespace = program.parameters()
    assert namespace.to_dict()["iterations"]["type"] == "integer"
    text = str(program)
    assert (
        "Max execution time: 300" in text and "- iterations:" in text and "Required: True" in text
    )
    service.pprint_programs(refresh=True)
    assert f"{program_id}:\n  Name: hello" in capsys.readouterr().out
    service.update_program(program_id, description="changed", max_execution_time=120)
    assert (
        service.program(program_id).description,
        service.program(program_id).max_execution_time,
    ) == ("changed", 120)
    service.set_program_visibility(program_id, True)
    assert service.program(program_id, refresh=True).is_public
    service.delete_program(program_id)
    with pytest.raises(ProgramNotFoundError):
        service.program(program_id, refresh=True)
    with pytest.raises(ProgramNotFoundError):
        service.delete_program(program_id)


def test_source_and_path_are_explicit(service: RuntimeService) -> None:
    with pytest.raises(InputValueError, match="exactly one of data= or path="):
        service.upload_program(metadata=METADATA)
    with pytest.raises(InputValueError, match="got source, path"):
        service.upload_program(metadata=METADATA, source="x", path=HELLO)
    with pytest.raises(InputValueError, match="no such program file or directory"):
        service.upload_program("def main(backend, user_messenger): pass", METADATA)


def test_versions_keep_earlier_ones_runnable(service: RuntimeService) -> None:
    v1 = "def main(backend, user_messenger):\n    return 'one'\n"
    v2 = "def main(backend, user_messenger):\n    return 'two'\n"
    meta = {"name": "versioned", "description": "d", "max_execution_time": 60, "version": "1.0"}
    program_id = service.upload_program(metadata=meta, source=v1)
    service.update_program(program_id, source=v2, metadata={**meta, "version": "1.2"})
    program = service.program(program_id, refresh=True)
    assert (program.version, program.versions) == ("1.2", ["1.0", "1.2"])
    assert "Version: 1.2" in str(program)
    assert "'one'" in service.program(program_id, version="1.0").data
    assert service.run(program_id, {}, {}).result(timeout=60) == "two"
    assert service.run(program_id, {}, {}, version="1.0").result(timeout=60) == "one"
    overridden = service.upload_program(metadata={**meta, "name": "other"}, source=v1, version="7")
    assert service.program(overridden).version == "7"


def test_run_stream_result_logs_interim(service: RuntimeService) -> None:
    program_id = service.upload_program(HELLO, METADATA)
    seen: list[object] = []
    job = service.run(
        program_id,
        {"backend_name": "ibmq_qasm_simulator"},
        {"iterations": 2, "shots": 8},
        callback=lambda job_id, message: seen.append(message),
    )
    assert job.result(timeout=60) == "Ran 2 circuits, 16 shots in all."
    assert job.wait_for_stream(timeout=10)
    assert [m["iteration"] for m in seen] == [0, 1]  # interim results only, as IBM's callbacks
    assert job.status() is JobStatus.DONE and job.error_message() is None
    assert [m["iteration"] for m in job.interim_results()] == [0, 1]
    assert job.logs() == ""
    assert job.inputs == {"iterations": 2, "shots": 8}
    again = service.job(job.job_id())
    assert (again.program_id, again.creation_date, again.backend()) == (
        program_id,
        job.creation_date,
        "ibmq_qasm_simulator",
    )
    with pytest.raises(InvalidStateError, match="Job already finished"):
        again.stream_results(lambda *_: None)
    assert [j.job_id() for j in service.jobs(program_id=program_id)] == [job.job_id()]
    assert service.jobs(pending=True, program_id=program_id) == []
    service.delete_job(job.job_id())
    with pytest.raises(JobNotFoundError):
        service.job(job.job_id())


def test_inputs_travel_encoded_and_namespaces_validate(service: RuntimeService) -> None:
    source = "def main(backend, user_messenger, weights):\n    return float(weights.sum())\n"
    parameters = {"properties": {"weights": {"type": "array"}}, "required": ["weights"]}
    meta = {"name": "arrays", "description": "d", "max_execution_time": 60}
    meta["spec"] = {"parameters": parameters}
    program_id = service.upload_program(metadata=meta, source=source)
    assert service.run(program_id, {}, {"weights": np.arange(5.0)}).result(timeout=60) == 10.0
    namespace = service.program(program_id).parameters()
    with pytest.raises(InputValueError, match="weights"):
        service.run(program_id, {}, namespace)


def test_failures_cancel_and_timeouts(service: RuntimeService) -> None:
    failing = service.upload_program(
        metadata={"name": "failing", "description": "d", "max_execution_time": 60},
        source="def main(backend, user_messenger):\n    raise RuntimeError('bad luck')\n",
    )
    job = service.run(failing, {}, {})
    with pytest.raises(JobFailureError, match="bad luck"):
        job.result(timeout=60)
    assert job.status() is JobStatus.ERROR and "RuntimeError: bad luck" in job.error_message()
    sleeper = service.upload_program(
        metadata={"name": "sleeper", "description": "d", "max_execution_time": 60}, source=SLEEPER
    )
    sleeping = service.run(sleeper, {}, {})
    with pytest.raises(JobTimeoutError):
        sleeping.wait_for_final_state(timeout=1)
    sleeping.cancel()
    assert sleeping.status() is JobStatus.CANCELLED
    with pytest.raises(InvalidStateError):
        sleeping.cancel()
    short = service.upload_program(
        metadata={"name": "short", "description": "d", "max_execution_time": 1}, source=SLEEPER
    )
    too_long = service.run(short, {}, {})
    assert too_long.wait_for_final_state(timeout=60) is JobStatus.ERROR
    assert too_long.api_status == "CANCELLED - RAN TOO LONG"
    assert "ran longer than maximum execution time" in too_long.error_message()


def test_errors_carry_status_method_and_url(server, service: RuntimeService) -> None:
    with pytest.raises(ProgramNotFoundError) as caught:
        service.program("nope-0000000000", refresh=True)
    assert (caught.value.status, caught.value.method) == (404, "GET")
    assert caught.value.url == f"{server.url}/programs/nope-0000000000"
    with pytest.raises(ServiceError) as unreachable:
        RuntimeService("http://127.0.0.1:9", "x").programs()
    assert unreachable.value.status is None and "Connection refused" in str(unreachable.value)


def test_stream_resumes_after_dropped_connections(server, service: RuntimeService) -> None:
    """Through a proxy that cuts every websocket after a few frames: every message arrives
    exactly once, in order."""
    from tests.client.proxy import CuttingProxy

    source = (
        "import time\n\ndef main(backend, user_messenger, count):\n"
        "    for i in range(count):\n        user_messenger.publish(i)\n"
        "        time.sleep(0.05)\n    return 'end'\n"
    )
    program_id = service.upload_program(
        metadata={"name": "ticker", "description": "d", "max_execution_time": 60}, source=source
    )
    with CuttingProxy(server.port, cut_after_bytes=15) as proxy:
        through = RuntimeService(f"http://127.0.0.1:{proxy.port}", server.token)
        seen: list[object] = []
        done = threading.Event()

        def record(job_id: str, message: object) -> None:
            seen.append(message)
            if message == 29:
                done.set()

        try:
            job = through.run(program_id, {}, {"count": 30}, callback=record)
            assert done.wait(60), seen
            assert job.wait_for_stream(timeout=30)
            assert seen == list(range(30))
            assert proxy.cuts >= 3
            assert job.result(timeout=30) == "end"
        finally:
            through.close()


@pytest.mark.service
def test_transport_is_injectable(tmp_path) -> None:
    """The client over an in-process ASGI app instead of the network (no mock: the real API)."""
    from fastapi.testclient import TestClient

    from runtime_kit.service.service import Service

    running = Service(
        tmp_path / "data", workers=1, admin_token="in-process", builtin_programs=False
    )
    running.start()
    try:
        with TestClient(running.app()) as test_client:
            client = RuntimeService(
                "http://testserver", "in-process", transport=test_client._transport
            )
            program_id = client.upload_program(HELLO / "program.py", METADATA)
            assert [p.program_id for p in client.programs(refresh=True)] == [program_id]
            with pytest.raises(ProgramNotFoundError):
                client.program("missing-0000000000", refresh=True)
    finally:
        running.stop()


def test_an_invalid_service_url_is_a_configuration_error() -> None:
    from runtime_kit.errors import ConfigurationError

    for url in ("notaurl", "ftp://host", "http://[::1"):
        with pytest.raises(ConfigurationError, match="invalid service URL"):
            RuntimeService(url, "token")


def test_the_services_backends_and_their_documents(service: RuntimeService) -> None:
    names = service.backends()
    assert names[:5] == ["ibmq_qasm_simulator", "aer_simulator", "basic_simulator", "generic-5",
                         "noisy-5"]  # fmt: skip
    assert "ibmq_montreal" in names and "ibm_sherbrooke" in names
    configuration = service.backend_configuration("fake_montreal")
    assert (configuration["backend_name"], configuration["n_qubits"]) == ("fake_montreal", 27)
    properties = service.backend_properties("ibmq_montreal")
    assert properties is not None and len(properties["qubits"]) == 27
    assert service.backend_properties("aer_simulator") is None
    with pytest.raises(ServiceError) as missing:
        service.backend_configuration("ibmq_nowhere")
    assert missing.value.status == 404
