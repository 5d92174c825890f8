"""Run by the qiskit-serverless 0.37 venv against a real ``runtime-kit serve``: what a user
does with ServerlessClient, each observation printed as one JSON line.

    python serverless_session.py HOST TOKEN OTHER_TOKEN BELL_SRC SLOW_SRC
"""

import json
import sys
import time
import warnings

from qiskit_serverless import QiskitFunction, QiskitServerlessException, ServerlessClient

host, token, other_token, bell_src, slow_src = sys.argv[1:6]
DEADLINE_S = 120


def say(**observed):
    print(json.dumps(observed), flush=True)


def wait(job, final=("DONE", "ERROR", "CANCELED")):
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        status = job.status()
        if status in final:
            return status
        time.sleep(0.2)
    raise AssertionError(f"{job} did not end")


def refused(call):
    try:
        call()
    except QiskitServerlessException as exc:
        return str(exc)
    return None


client = ServerlessClient(host=host, token=token, channel="local")
schema = {
    "type": "object",
    "properties": {"shots": {"type": "integer", "minimum": 1}, "qubits": {"type": "integer"}},
    "required": ["shots"],
    "additionalProperties": False,
}
bell = client.upload(
    QiskitFunction(
        title="bell", entrypoint="entrypoint.py", working_dir=bell_src, arguments_schema=schema
    )
)
say(uploaded=bell.title, schema=bell.arguments_schema)
say(functions=[f.title for f in client.functions()], got=client.function("bell").entrypoint)

job = client.function("bell").run(shots=100, qubits=3)
say(first_status=job.status(), final=wait(job))
say(result=job.result(), logs=job.logs())

say(bad_arguments=refused(lambda: bell.run(shots=0)))
say(unknown_function=refused(lambda: client.function("nothing")))
say(validate=bell.validate_arguments({"shots": 5}))

slow = client.upload(
    QiskitFunction(title="slow", entrypoint="slow.py", working_dir=slow_src, dependencies=[])
)
running = slow.run()
deadline = time.monotonic() + DEADLINE_S
seen_live = None
while time.monotonic() < deadline:
    logs = running.logs()
    if "tick 2" in logs:
        seen_live = {"status": running.status(), "logs": logs}
        break
    time.sleep(0.2)
say(live=seen_live)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    try:
        running.stop()
        say(stop_without_service="sent")
    except TypeError as exc:  # 0.37 builds a local runtime service it cannot encode
        say(stop_without_service=f"TypeError: {exc}")
say(stopped=running.cancel(service="local"), final=wait(running))
say(after_stop=running.logs())

say(jobs=[j.job_id for j in client.jobs()], of_slow=[j.job_id for j in slow.jobs()])
other = ServerlessClient(host=host, token=other_token, channel="local")
say(other_job=refused(lambda: other.job(job.job_id)), other_list=other.jobs())
say(done=True)
