"""Every input checked at the edge (issue 10, point 8): each bad input answers a 4xx in the
error shape, or a documented close code on a websocket, and nothing bad is stored."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from runtime_kit.harness.backends import find_backend
from runtime_kit.service.http.streams_api import REFUSED, TOO_SLOW
from runtime_kit.service.service import Service
from tests.service.conftest import Api, program_body, source_of
from tests.service.real_server import free_port

BIG = 2**63
SLOW_SEND_TIMEOUT_S = 1.0


def upload(api: Api, name: str = "hello", **extra: Any) -> str:
    response = api.post("/programs", program_body(name, **extra))
    assert response.status_code == 200, response.text
    return response.json()["id"]


def refused(response: Any, status: int, words: str) -> None:
    """``response`` is ``status`` in the error shape, its message containing ``words``."""
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["status"] == status and error["code"], error
    assert words in error["message"], error["message"]


class ThreadedServer:
    """uvicorn serving ``app`` on 127.0.0.1 in a thread (as ``serve`` does: websockets-sansio),
    for the tests that need real sockets in the test's own process."""

    def __init__(self, app: Any) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            app, port=self.port, log_level="warning", lifespan="off", ws="websockets-sansio"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> ThreadedServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert time.monotonic() < deadline and self.thread.is_alive(), "uvicorn did not start"
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


@pytest.fixture
def live(service: Service) -> Iterator[ThreadedServer]:
    app = service.app()
    app.state.api.ws_send_timeout_s = SLOW_SEND_TIMEOUT_S
    with ThreadedServer(app) as server:
        yield server


# -- cost -------------------------------------------------------------------------------


def test_program_cost_out_of_range_is_400(admin: Api) -> None:
    for cost in (BIG, 2**31, 0, -1, 1.5, True, "٣", "9" * 30, None):
        refused(admin.post("/programs", program_body("p", cost=cost)), 400, "cost must be")
    assert admin.get("/programs").json()["count"] == 0


def test_program_cost_as_legacy_digit_string_is_taken(admin: Api) -> None:
    program_id = upload(admin, cost="120")
    assert admin.get(f"/programs/{program_id}").json()["cost"] == 120


def test_patch_cost_out_of_range_is_400_and_changes_nothing(admin: Api) -> None:
    program_id = upload(admin)
    for body in ({"cost": BIG}, {"max_execution_time": BIG}, {"cost": BIG, "data": "x"}):
        response = admin.request("PATCH", f"/programs/{program_id}", body)
        refused(response, 400, "must be a positive integer of at most 2147483647")
    assert admin.get(f"/programs/{program_id}").json()["cost"] == 60


def test_job_cost_out_of_range_is_400(admin: Api) -> None:
    program_id = upload(admin)
    for cost in (BIG, 0, "x"):
        response = admin.post("/jobs", {"program_id": program_id, "cost": cost})
        refused(response, 400, "cost must be")
    assert admin.get("/jobs").json()["count"] == 0


def test_cost_too_big_keeps_the_connection_alive(admin: Api, live: ThreadedServer) -> None:
    """It was a 500 (OverflowError from SQLite) that also closed the keep-alive connection."""
    program_id = upload(admin)
    connection = http.client.HTTPConnection("127.0.0.1", live.port, timeout=30)
    headers = {"X-Access-Token": "admin-secret"}
    for method, path, body in (
        ("POST", "/programs", {**program_body("other"), "cost": BIG}),
        ("POST", "/jobs", {"program_id": program_id, "cost": BIG}),
        ("PATCH", f"/programs/{program_id}", {"cost": BIG}),
    ):
        connection.request(method, path, body=json.dumps(body), headers=headers)
        response = connection.getresponse()
        assert response.status == 400 and response.getheader("connection") != "close"
        assert json.loads(response.read())["error"]["code"] == "BAD_REQUEST"
    connection.request("GET", "/programs", headers=headers)  # the same connection
    assert connection.getresponse().status == 200
    connection.close()


# -- spec -------------------------------------------------------------------------------

NOT_SCHEMAS = [
    ("notaschema", 'spec.parameters: "notaschema" is not of types "boolean", "object"'),
    (
        {"type": "object", "properties": {"a": {"type": "string", "pattern": "(["}}},
        'spec.parameters: invalid JSON Schema: "([" is not a "regex"',
    ),
    ({"type": "nonsense"}, "spec.parameters: invalid JSON Schema: "),
    ({"$ref": "https://example.com/schema.json"}, "Retrieval is disabled"),
]


def test_spec_parameters_not_a_schema_is_refused_at_upload(admin: Api) -> None:
    for parameters, message in NOT_SCHEMAS:
        response = admin.post("/programs", program_body("p", spec={"parameters": parameters}))
        refused(response, 400, message)
    assert admin.get("/programs").json()["count"] == 0


def test_spec_parameters_not_a_schema_is_refused_by_patch(admin: Api) -> None:
    program_id = upload(admin)
    for parameters, message in NOT_SCHEMAS:
        body = {"spec": {"parameters": parameters}}
        refused(admin.request("PATCH", f"/programs/{program_id}", body), 400, message)
    kept = admin.get(f"/programs/{program_id}").json()["spec"]["parameters"]
    assert kept["required"] == ["iterations"]


def test_other_spec_parts_are_checked(admin: Api) -> None:
    for spec, message in [
        ([], "spec must be an object"),
        ({"backend_requirements": []}, 'spec.backend_requirements: [] is not of type "object"'),
        ({"backend_requirements": {"min_num_qubits": "x"}}, "min_num_qubits"),
        ({"return_values": 5}, "spec.return_values"),
        ({"interim_results": {"minimum": "x"}}, "spec.interim_results: invalid JSON Schema"),
    ]:
        refused(admin.post("/programs", program_body("p", spec=spec)), 400, message)


def test_spec_parts_sent_as_null_are_not_declared(admin: Api) -> None:
    program_id = upload(admin, spec={"parameters": None, "return_values": {"type": "string"}})
    spec = admin.get(f"/programs/{program_id}").json()["spec"]
    assert spec["parameters"] == {} and spec["return_values"] == {"type": "string"}


# -- jobs -------------------------------------------------------------------------------


def test_unknown_backend_is_400(admin: Api) -> None:
    program_id = upload(admin)
    for backend in ([], {}, 3, False, "generic-٣", "generic-0", "generic-128"):
        response = admin.post("/jobs", {"program_id": program_id, "backend": backend})
        refused(response, 400, "unknown backend")
    assert admin.get("/jobs").json()["count"] == 0


def test_only_ascii_digits_make_a_generic_backend() -> None:
    assert find_backend("generic-3") is not None and find_backend("generic-127") is not None
    assert find_backend("generic-٣") is None and find_backend("generic-03") is None


def test_job_label_of_the_wrong_type_is_400(admin: Api) -> None:
    program_id = upload(admin)
    for key in ("hub", "group", "project", "runtime", "log_level"):
        for value in (1, ["h"], {"a": 1}, True, "x" * 257):
            response = admin.post("/jobs", {"program_id": program_id, key: value})
            refused(response, 400, f"{key} must be a string of at most 256 characters")
    assert admin.get("/jobs").json()["count"] == 0


def test_a_job_without_an_instance_runs_under_the_default(admin: Api) -> None:
    program_id = upload(admin)
    body = {"program_id": program_id, "params": {"iterations": 1}, "hub": "", "group": None}
    job = admin.get(f"/jobs/{admin.post('/jobs', body).json()['id']}").json()
    assert (job["hub"], job["group"], job["project"]) == ("ibm-q", "open", "main")


def test_part_of_an_instance_is_400(admin: Api) -> None:
    program_id = upload(admin)
    body = {"program_id": program_id, "params": {"iterations": 1}, "hub": "h", "group": None}
    refused(admin.post("/jobs", body), 400, "hub, group and project name an instance together")
    assert admin.get("/jobs").json()["count"] == 0


def test_job_version_of_the_wrong_type_is_400(admin: Api) -> None:
    program_id = upload(admin)
    for version in ([], {}, True, "bad version"):
        response = admin.post("/jobs", {"program_id": program_id, "version": version})
        refused(response, 400, "invalid version")


# -- queries ----------------------------------------------------------------------------


def test_limit_zero_is_400(admin: Api) -> None:
    refused(admin.get("/programs?limit=0"), 400, "limit")
    refused(admin.get("/jobs?limit=0"), 400, "limit")


def test_pending_must_be_true_or_false(admin: Api) -> None:
    refused(admin.get("/jobs?pending=maybe"), 400, "pending")
    for value in ("true", "false", "True", "FALSE"):
        assert admin.get(f"/jobs?pending={value}").status_code == 200


# -- tokens -----------------------------------------------------------------------------


def test_token_name_with_control_characters_is_400(admin: Api) -> None:
    for name in ("\u0000", "bob\u0000", "a\nb", "tab\there", "c1\x85", "a\u2028b", "x" * 101):
        response = admin.post("/tokens", {"name": name, "role": "user"})
        refused(response, 400, "no control characters or line breaks")
    for name in (7, None, "  "):
        refused(admin.post("/tokens", {"name": name}), 400, "name is required")
    assert [t["name"] for t in admin.get("/tokens").json()["tokens"]] == ["admin"]


def test_token_name_is_stripped(admin: Api) -> None:
    assert admin.post("/tokens", {"name": "  bob  "}).json()["name"] == "bob"


# -- websockets -------------------------------------------------------------------------


def _close_of(live: ThreadedServer, path: str, token: str | None = "admin-secret") -> Any:
    """The close frame the server sends on ``path`` (after accepting: no HTTP 403)."""
    headers = {"X-Access-Token": token} if token else {}
    url = f"{live.ws_url}{path}"
    with (
        connect(url, additional_headers=headers, open_timeout=10) as ws,
        pytest.raises(ConnectionClosed) as closed,
    ):
        ws.recv(timeout=10)
    assert closed.value.rcvd is not None, "closed without a close frame"
    return closed.value.rcvd


@pytest.fixture
def finished_job(admin: Api) -> str:
    program_id = upload(admin)
    job_id = admin.post("/jobs", {"program_id": program_id, "params": {"iterations": 1}})
    admin.wait_final(job_id.json()["id"])
    return job_id.json()["id"]


@pytest.mark.parametrize("suffix", ["", "/logs"])
def test_bad_since_is_close_1008(live: ThreadedServer, finished_job: str, suffix: str) -> None:
    for since in (str(BIG), "-1e23", "-1", "abc", "٣", ""):
        close = _close_of(live, f"/stream/jobs/{finished_job}{suffix}?since={since}")
        assert close.code == REFUSED and close.reason.startswith("since must be an integer")


@pytest.mark.parametrize("suffix", ["", "/logs"])
def test_websocket_refusals_are_close_1008_after_the_handshake(
    live: ThreadedServer, finished_job: str, suffix: str
) -> None:
    no_token = _close_of(live, f"/stream/jobs/{finished_job}{suffix}", token=None)
    assert (no_token.code, no_token.reason) == (
        REFUSED,
        "missing API token: send X-Access-Token or Authorization: Bearer",
    )
    bad_token = _close_of(live, f"/stream/jobs/{finished_job}{suffix}", token="wrong")
    assert (bad_token.code, bad_token.reason) == (REFUSED, "invalid or revoked API token")
    unknown = _close_of(live, f"/stream/jobs/job-unknown{suffix}")
    assert (unknown.code, unknown.reason) == (REFUSED, "job not found: job-unknown")


def test_since_at_the_bound_is_taken(live: ThreadedServer, finished_job: str) -> None:
    path = f"/stream/jobs/{finished_job}?since={2**62}"
    with connect(
        f"{live.ws_url}{path}", additional_headers={"X-Access-Token": "admin-secret"}
    ) as ws:
        assert ws.recv(timeout=10) == "ACK"
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=10)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1000


SLEEPER = "import time\n\ndef main(backend, user_messenger):\n    time.sleep(60)\n"


def test_a_cancel_answers_once_the_jobs_stream_has_its_close_frame(
    admin: Api, service: Service, live: ThreadedServer
) -> None:
    """qiskit-ibmq-provider stops streaming as its cancel returns, closing the websocket from
    another thread than the one reading it; the stream must already be closed by then, or
    that reader waits 10 s for a close frame the other thread took (the provider's own
    test_callback_cancel_job).  So a stream is subscribed before it is open, and a cancel
    answers once the close frame was sent."""
    program_id = upload(admin, "sleeper", source=SLEEPER, spec={})
    job_id = admin.post("/jobs", {"program_id": program_id}).json()["id"]
    url = f"{live.ws_url}/stream/jobs/{job_id}"
    with connect(url, additional_headers={"X-Access-Token": "admin-secret"}) as ws:
        assert service.hub.watchers() == 1  # subscribed before the handshake's answer
        assert admin.post(f"/jobs/{job_id}/cancel").status_code == 204
        assert service.hub.watchers() == 0  # the close frame went before the cancel's answer
        assert ws.recv(timeout=10) == "ACK"
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=10)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1000


FLOOD = """
import base64, os

def main(backend, user_messenger, count=300, size=75_000):
    for index in range(count):  # random data: permessage-deflate cannot shrink it
        fill = base64.b64encode(os.urandom(size)).decode()
        user_messenger.publish({"index": index, "fill": fill})
    return "done"
"""


def test_slow_reader_is_closed_1013_after_the_data_it_had(
    admin: Api, service: Service, live: ThreadedServer
) -> None:
    """A client that stops reading is dropped once a message waits over the send timeout;
    reading on, it gets what was sent before, then the close frame 1013 (not a silent
    drop), and the server keeps nothing for it."""
    program_id = upload(admin, "flood", source=FLOOD, spec={}, cost=120)
    job_id = admin.post("/jobs", {"program_id": program_id}).json()["id"]
    url = f"{live.ws_url}/stream/jobs/{job_id}"
    headers = {"X-Access-Token": "admin-secret"}
    small = socket.socket()
    small.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 16)  # no autotuning to 32 MiB
    small.connect(("127.0.0.1", live.port))
    with connect(url, sock=small, additional_headers=headers, max_queue=(1, 0)) as ws:
        assert ws.recv(timeout=30) == "ACK"
        assert admin.wait_final(job_id, timeout=120)["status"] == "COMPLETED"
        deadline = time.monotonic() + 30
        while service.hub.watchers() and time.monotonic() < deadline:
            time.sleep(0.1)  # the stream gives up after the send timeout
        assert service.hub.watchers() == 0
        received = 0
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                json.loads(ws.recv(timeout=30))
                received += 1
    assert 0 < received < 301
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == TOO_SLOW
    assert closed.value.rcvd.reason == "client too slow: a message waited 1 s"


def test_new_version_cost_too_big_is_400(admin: Api) -> None:
    program_id = upload(admin)
    body = {"data": source_of("def main(backend, user_messenger):\n    return 1\n")}
    response = admin.request(
        "PATCH", f"/programs/{program_id}", {**body, "version": "2", "cost": BIG}
    )
    refused(response, 400, "cost must be")
    assert admin.get(f"/programs/{program_id}").json()["versions"] == ["0"]


def test_only_standard_json_is_read(admin: Api) -> None:
    """Python's parser takes NaN and Infinity and reads 1e400 as infinity: a job ran with
    NaN inputs, shown as null by its GET."""
    program_id = upload(admin, "open", spec={})
    for text in ("NaN", "-Infinity", "1e400", "1" * 5000):
        body = f'{{"program_id": "{program_id}", "params": {{"x": {text}}}}}'
        response = admin.client.post("/jobs", content=body, headers=admin.headers)
        refused(response, 400, "malformed JSON body")
    assert admin.get("/jobs").json()["count"] == 0


def test_params_as_a_json_string_are_standard_json_too(admin: Api) -> None:
    """The legacy shape ``"params": "{...}"`` is parsed as strictly as a body: a NaN stored
    from it made every later GET of the job a 500; deep nesting was a RecursionError."""
    program_id = upload(admin, "open-string", spec={})
    for text in ('{"x": NaN}', '{"y": 1e400}', "[" * 100_000):
        response = admin.post("/jobs", {"program_id": program_id, "params": text})
        refused(response, 400, "malformed params (a JSON string)")
    assert admin.get("/jobs").json()["count"] == 0


def test_integral_float_cost_is_an_integer(admin: Api) -> None:
    program_id = upload(admin, cost=60.0)
    assert admin.get(f"/programs/{program_id}").json()["cost"] == 60
