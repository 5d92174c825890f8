"""``runtime-kit service open``: a one-time sign-in link to the local service's web view."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import httpx
import pytest

from tests.conftest import run_command


@pytest.mark.service  # the per-user local service
def test_service_open_prints_a_link_that_signs_in_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key in [k for k in os.environ if k.startswith("RUNTIME_KIT_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("RUNTIME_KIT_LOCAL_DIR", str(tmp_path / "local"))
    monkeypatch.setenv("DISPLAY", "")  # no desktop: print only, whatever the flag
    try:
        opened = run_command("service", "--json", "open", "--no-browser")
        assert opened.returncode == 0, opened.stderr
        url = json.loads(opened.stdout)["url"]
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/ui/sign-in/link\?code=[\w-]+", url)
        with httpx.Client() as browser:
            page = browser.get(url).text
            secret = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
            form = {"csrf": secret, "code": url.split("code=")[1]}
            base = url.split("/ui/")[0]
            signed_in = browser.post(f"{base}/ui/sign-in/link", data=form, follow_redirects=True)
            assert signed_in.status_code == 200 and "Sign out" in signed_in.text
            page = browser.get(url).text
            form["csrf"] = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
            again = browser.post(f"{base}/ui/sign-in/link", data=form)
            assert again.status_code == 401
    finally:
        assert run_command("service", "stop").returncode == 0
