"""Make the README's screenshot of a job page (a VQE-like energy curve, mid-run).

.venv/bin/python -m tests.service.ui.screenshot docs/web-view-job.png
"""

from __future__ import annotations

import base64
import json
import os
import sys
import tempfile
from pathlib import Path

from tests.service.real_server import RealServer
from tests.service.ui.browser import CHROMIUM, CHROMIUM_FLAGS, ApiUser, BrowserVisitor

VQE_LIKE = """
import math
import random
import time


def main(backend, user_messenger, iterations=60, delay=0.15):
    rng = random.Random(7)
    for iteration in range(iterations):
        energy = -1.137 + 0.9 * math.exp(-iteration / 9) + rng.gauss(0, 0.01)
        print(f"iteration {iteration}: energy {energy:.5f}", flush=True)
        shots = {"0101": 300 + 6 * iteration, "1010": 280 + 5 * iteration,
                 "0110": max(5, 200 - 3 * iteration), "1001": max(3, 244 - 8 * iteration)}
        user_messenger.publish({"iteration": iteration, "energy": energy,
                                "gradient_norm": abs(0.9 * math.exp(-iteration / 9) / 9),
                                "counts": shots})
        time.sleep(delay)
    return {"energy": energy, "optimal_parameters": [0.12, -1.57, 0.93, 0.41]}
"""
SPEC = {
    "parameters": {
        "type": "object",
        "properties": {
            "iterations": {"type": "integer", "minimum": 1, "description": "optimizer steps"},
            "delay": {"type": "number", "default": 0.15},
        },
        "required": ["iterations"],
    }
}


def main(target: Path) -> int:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        server = RealServer(Path(tmp) / "data", "--sandbox", "prefer", "--shutdown-timeout", "1")
        server.start()
        admin = ApiUser(server.url, server.token)
        try:
            body = {"name": "vqe-h2", "data": base64.b64encode(VQE_LIKE.encode()).decode(),
                    "cost": 600, "description": "VQE of H2", "spec": SPEC}  # fmt: skip
            program = admin.http.post("/programs", content=json.dumps(body)).json()["id"]
            params = {"iterations": 60, "delay": 0.15}
            job = admin.http.post(
                "/jobs", content=json.dumps({"program_id": program, "params": params})
            ).json()["id"]
            admin.wait_for(job, ("RUNNING",))
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=str(CHROMIUM),
                    args=CHROMIUM_FLAGS,
                    env={**os.environ, "HOME": tmp},
                )
                visitor = BrowserVisitor(browser, server.url)
                visitor.page.set_viewport_size({"width": 1180, "height": 1400})
                visitor.sign_in(server.token, start=f"/ui/jobs/{job}")
                visitor.page.wait_for_function(
                    "() => Number(document.getElementById('interim-count').textContent) >= 34"
                )
                visitor.page.screenshot(path=str(target))
                visitor.close()
                browser.close()
        finally:
            admin.http.close()
            server.stop()
    print(target)
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
