"""Debian's chromium driven by Playwright, and a visitor of the web view in it.

Playwright's own browser download cannot work offline: the tests launch the system's
``/usr/bin/chromium`` (``make test`` installs it as root with apt) with flags that keep it
off the network.
"""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path
from typing import Any

import httpx

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WAIT_MS = 30_000

#: A program that reports an energy curve and counts as it goes, printing a log line a step.
STEPPER = """
import time


def main(backend, user_messenger, steps=10, delay=0.3, probe=""):
    for step in range(steps):
        print(f"step {step}", flush=True)
        user_messenger.publish({
            "step": step,
            "energy": -1 + 1 / (step + 1),
            "counts": {"00": 100 - step, "11": 100 + step},
            "note": probe,
        })
        time.sleep(delay)
    return {"energy": -1.0, "probe": probe, "counts": {"00": 480, "11": 520}}
"""
STEPPER_SPEC = {
    "parameters": {
        "type": "object",
        "properties": {
            "steps": {"type": "integer", "minimum": 1, "default": 10, "description": "steps"},
            "delay": {"type": "number", "default": 0.3, "description": "seconds a step"},
            "probe": {"type": "string", "description": "text echoed back"},
        },
        "required": ["steps"],
    },
    "interim_results": {
        "type": "object",
        "properties": {"step": {"type": "integer"}, "energy": {"type": "number"}},
    },
    "return_values": {"type": "object", "properties": {"energy": {"type": "number"}}},
}


class ApiUser:
    """One token's view of the service through its REST API."""

    def __init__(self, url: str, token: str) -> None:
        self.token = token
        self.http = httpx.Client(base_url=url, headers={"X-Access-Token": token}, timeout=30)

    def upload(self, name: str, *, public: bool = False, description: str = "") -> str:
        body = {
            "name": name,
            "data": base64.b64encode(STEPPER.encode()).decode(),
            "cost": 600,
            "description": description or f"{name}: an energy curve",
            "spec": STEPPER_SPEC,
            "is_public": public,
        }
        response = self.http.post("/programs", content=json.dumps(body))
        response.raise_for_status()
        return response.json()["id"]

    def submit(self, program_id: str, **params: Any) -> str:
        body = {"program_id": program_id, "params": {"steps": 3, "delay": 0.05, **params}}
        response = self.http.post("/jobs", content=json.dumps(body))
        response.raise_for_status()
        return response.json()["id"]

    def job(self, job_id: str) -> dict[str, Any]:
        response = self.http.get(f"/jobs/{job_id}")
        response.raise_for_status()
        return response.json()

    def wait_for(self, job_id: str, statuses: tuple[str, ...], timeout_s: float = 60) -> str:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            status = self.job(job_id)["status"]
            if status in statuses:
                return status
            time.sleep(0.05)
        raise AssertionError(f"job {job_id} not {statuses} within {timeout_s} s")

    def wait_for_interim(self, job_id: str, count: int, timeout_s: float = 60) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if len(self.http.get(f"/jobs/{job_id}/interim_results").json()) >= count:
                return
            time.sleep(0.05)
        raise AssertionError(f"job {job_id}: {count} interim results not within {timeout_s} s")


class BrowserVisitor:
    """A browser context of its own (its own cookies), recording JavaScript errors."""

    def __init__(self, browser: Any, url: str, **context_options: Any) -> None:
        """``context_options``: Playwright's ``new_context`` options (``viewport``,
        ``timezone_id``...)."""
        self.url = url
        self.context = browser.new_context(base_url=url, **context_options)
        self.context.set_default_timeout(WAIT_MS)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        self.page.on("console", self._console)

    def _console(self, message: Any) -> None:
        # A 4xx page (the sign-in page signed out, a 404) is logged as a failed resource
        # load: that is the page's status, not a script error.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.errors.append(f"console: {message.text}")

    def sign_in(self, token: str, start: str = "/ui/jobs") -> None:
        self.page.goto(start)
        self.page.fill("#token", token)
        self.page.click("form[action='/ui/sign-in'] button")
        self.page.wait_for_url(f"**{start}")

    def close(self) -> None:
        self.context.close()
