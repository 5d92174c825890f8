"""Run in .venv-legacy: qiskit-ibmq-provider 0.20's RuntimeClient and websocket client
against a runtime-kit service.  Prints one JSON object of what it saw.

    python legacy_client.py URL TOKEN PROGRAM METADATA
"""

import base64
import json
import queue
import sys
import time

from qiskit.providers.ibmq.api.clients.runtime import RuntimeClient
from qiskit.providers.ibmq.api.clients.runtime_ws import RuntimeWebsocketClient
from qiskit.providers.ibmq.api.exceptions import RequestsApiError
from qiskit.providers.ibmq.credentials import Credentials
from qiskit.providers.ibmq.runtime.utils import RuntimeDecoder

SLEEPER = (
    "import time\n\ndef main(backend, user_messenger):\n    while True:\n        time.sleep(0.1)\n"
)


def wait(client, job_id, states, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = client.job_get(job_id)["status"]
        if status in states:
            return status
        time.sleep(0.1)
    raise SystemExit(f"job {job_id} stuck in {status}")


def status_of(call):
    try:
        call()
    except RequestsApiError as error:
        return error.status_code
    return 200


def main():
    url, token, program_path, metadata_path = sys.argv[1:5]
    credentials = Credentials(
        token=token,
        url=url,
        services={"runtime": url},
        access_token=token,
        hub="ibm-q",
        group="open",
        project="main",
    )
    client = RuntimeClient(credentials)
    with open(metadata_path) as handle:
        metadata = json.load(handle)
    with open(program_path) as handle:
        source = handle.read()
    seen = {}

    program_id = client.program_create(
        program_data=base64.b64encode(source.encode()).decode(),
        name=metadata["name"],
        description=metadata["description"],
        max_execution_time=metadata["max_execution_time"],
        is_public=False,
        spec=metadata["spec"],
    )["id"]
    seen["duplicate"] = status_of(
        lambda: client.program_create(
            program_data=base64.b64encode(source.encode()).decode(),
            name=metadata["name"],
            description="again",
            max_execution_time=60,
        )
    )
    seen["listed"] = [p["id"] for p in client.list_programs()["programs"]] == [program_id]
    client.program_update(program_id, description="updated", max_execution_time=120)
    client.set_program_visibility(program_id, True)
    got = client.program_get(program_id)
    seen["program"] = [
        got["description"],
        got["cost"],
        got["is_public"],
        "def main(" in got["data"],
    ]

    job_id = client.program_run(
        program_id,
        credentials,
        "ibmq_qasm_simulator",
        {"iterations": 3, "shots": 16},
        "",
    )["id"]
    messages = queue.Queue()
    ws_url = url.replace("http://", "ws://")
    RuntimeWebsocketClient(ws_url, credentials, job_id, messages).job_results()
    streamed = []
    while not messages.empty():
        streamed.append(json.loads(messages.get_nowait(), cls=RuntimeDecoder))
    seen["streamed"] = streamed
    seen["status"] = wait(client, job_id, {"COMPLETED", "FAILED"})
    seen["result"] = json.loads(client.job_results(job_id), cls=RuntimeDecoder)
    seen["logs"] = client.job_logs(job_id)
    job = client.job_get(job_id)
    seen["job"] = [job["program"]["id"] == program_id, job["hub"], job["backend"], job["params"]]
    seen["jobs"] = [j["id"] for j in client.jobs_get(limit=10, pending=False)["jobs"]] == [job_id]
    seen["cancel_finished"] = status_of(lambda: client.job_cancel(job_id))

    sleeper_id = client.program_create(
        program_data=base64.b64encode(SLEEPER.encode()).decode(),
        name="sleeper",
        description="sleeps",
        max_execution_time=60,
    )["id"]
    sleeping = client.program_run(sleeper_id, credentials, "ibmq_qasm_simulator", {}, "")["id"]
    wait(client, sleeping, {"RUNNING"})
    client.job_cancel(sleeping)
    seen["cancelled"] = wait(client, sleeping, {"CANCELLED"})

    client.job_delete(job_id)
    seen["deleted_job"] = status_of(lambda: client.job_get(job_id))
    client.program_delete(program_id)
    seen["deleted_program"] = status_of(lambda: client.program_get(program_id))
    print(json.dumps(seen))


main()
