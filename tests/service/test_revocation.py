"""Revoking a token ends the streams it holds open: its websockets (closed 1008) and its web
view's event streams."""

from __future__ import annotations

import threading

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from runtime_kit.service.service import Service
from tests.service.conftest import Api, program_body

SLEEPER = "import time\n\ndef main(backend, user_messenger):\n    time.sleep(60)\n"


def sleeping_job(service: Service, client: TestClient) -> tuple[str, str, str]:
    """(token id, token, job id) of a user with a job that runs a minute."""
    principal, token = service.tokens.create("mallory", "uploader")
    user = Api(client, token)
    program_id = user.post("/programs", program_body("sleeper", source=SLEEPER, spec={})).json()[
        "id"
    ]
    return principal.id, token, user.post("/jobs", {"program_id": program_id}).json()["id"]


@pytest.mark.parametrize("path", ["/stream/jobs/{}", "/stream/jobs/{}/logs"])
def test_a_revoked_token_loses_its_websockets(
    path: str, service: Service, client: TestClient
) -> None:
    token_id, token, job_id = sleeping_job(service, client)
    admin = Api(client, "admin-secret")
    try:
        with client.websocket_connect(
            path.format(job_id), headers={"X-Access-Token": token}
        ) as stream:
            if path.endswith("{}"):
                assert stream.receive_text() == "ACK"
            threading.Timer(0.5, lambda: admin.request("DELETE", f"/tokens/{token_id}")).start()
            with pytest.raises(WebSocketDisconnect) as closed:
                while True:
                    stream.receive_text()
        assert (closed.value.code, closed.value.reason) == (1008, "the token was revoked")
    finally:
        admin.post(f"/jobs/{job_id}/cancel")


@pytest.mark.parametrize("path", ["/ui/jobs/{}/events", "/ui/jobs-events"])
def test_a_revoked_token_loses_its_web_view_streams(
    path: str, service: Service, client: TestClient
) -> None:
    token_id, token, job_id = sleeping_job(service, client)
    admin = Api(client, "admin-secret")
    link = client.post("/ui/sign-in-links", headers={"X-Access-Token": token}).json()["path"]
    page = client.get(link)
    csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
    client.post("/ui/sign-in/link", data={"code": link.split("=")[1], "csrf": csrf})
    timer = threading.Timer(1, lambda: admin.request("DELETE", f"/tokens/{token_id}"))
    try:
        with client.stream("GET", path.format(job_id)) as events:
            assert events.status_code == 200
            timer.start()
            received = "".join(events.iter_text())  # ends once the token is revoked
        assert received.startswith("retry: ")
    finally:
        timer.join()
        admin.post(f"/jobs/{job_id}/cancel")
