"""Fixtures of the web view's tests: one chromium per test session, a real service."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.service.real_server import RealServer
from tests.service.ui.browser import CHROMIUM, CHROMIUM_FLAGS, ApiUser, BrowserVisitor


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip(
            "browser tests skipped: Debian's chromium is not installed at /usr/bin/chromium "
            "(`make test` installs it where it runs as root with apt)"
        )
    from playwright.sync_api import sync_playwright

    home = tmp_path_factory.mktemp("browser-home")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=CHROMIUM_FLAGS,
            env={**os.environ, "HOME": str(home)},
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="module")
def ui_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealServer]:
    data: Path = tmp_path_factory.mktemp("ui-service") / "data"
    server = RealServer(data, "--sandbox", "prefer", "--shutdown-timeout", "1").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def api_user(ui_server: RealServer) -> Iterator[Callable[[str, str], ApiUser]]:
    """``api_user("uploader", "alice")``: a new token of that role, through the API."""
    made = [ApiUser(ui_server.url, ui_server.token)]

    def make(role: str, name: str) -> ApiUser:
        response = made[0].http.post("/tokens", json={"name": name, "role": role})
        response.raise_for_status()
        made.append(ApiUser(ui_server.url, response.json()["token"]))
        return made[-1]

    yield make
    for user in made:
        user.http.close()


@pytest.fixture
def visitor(browser: object, ui_server: RealServer) -> Iterator[Callable[..., BrowserVisitor]]:
    """``visitor(**context_options)``: a fresh browser context; after the test, none had
    JavaScript errors."""
    made: list[BrowserVisitor] = []

    def make(**context_options: Any) -> BrowserVisitor:
        made.append(BrowserVisitor(browser, ui_server.url, **context_options))
        return made[-1]

    yield make
    errors = [error for one in made for error in one.errors]
    for one in made:
        one.close()
    assert not errors, f"JavaScript errors: {errors}"
