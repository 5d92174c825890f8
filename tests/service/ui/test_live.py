"""The live streams on a real ``runtime-kit serve``: they follow a job over HTTP, and a
stopping service ends them instead of waiting for the pages that hold them open."""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.service.real_server import RealServer
from tests.service.ui.browser import ApiUser


@pytest.mark.service
def test_open_streams_do_not_hold_up_a_stopping_service(tmp_path: Path) -> None:
    server = RealServer(tmp_path / "data", "--sandbox", "prefer", "--shutdown-timeout", "1")
    server.start()
    admin = ApiUser(server.url, server.token)
    received: list[str] = []
    try:
        job = admin.submit(admin.upload("endless"), steps=1000, delay=0.2)
        admin.wait_for_interim(job, 1)
        with httpx.Client(base_url=server.url, timeout=30) as browser:
            secret = re.search(r'name="csrf" value="([^"]+)"', browser.get("/ui/sign-in").text)
            browser.post("/ui/sign-in", data={"csrf": secret.group(1), "token": server.token})

            def follow(path: str) -> None:
                with browser.stream("GET", path) as stream:
                    received.extend(stream.iter_text())

            readers = [
                threading.Thread(target=follow, args=(path,))
                for path in (f"/ui/jobs/{job}/events", f"/ui/jobs-events?ids={job}")
            ]
            for reader in readers:
                reader.start()
            deadline = time.monotonic() + 30
            while "event: interim" not in "".join(received) and time.monotonic() < deadline:
                time.sleep(0.05)
            started = time.monotonic()
            server.stop()
            for reader in readers:
                reader.join(timeout=30)
            assert time.monotonic() - started < 8  # not the 10 s uvicorn would wait
            assert not any(reader.is_alive() for reader in readers)
    finally:
        admin.http.close()
        server.stop()
    events = "".join(received)
    assert "event: status" in events and "event: interim" in events and "event: log" in events
