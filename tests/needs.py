"""What a test needs beyond this checkout and its venv: a service, a browser, Ray or a side
venv.  Each has a marker; ``make check`` (``pytest --quick``) runs only the tests that have
none of them.

Tests get the markers from the fixtures they use (``MARKER_OF_FIXTURE``) or from a
``pytestmark`` of their module.  A ``--quick`` run arms ``refuse``: a test it selected that
starts one anyway fails, saying which marker it lacks, so the selection stays honest.
"""

from __future__ import annotations

import pytest

#: The markers, and what each stands for.
MARKERS = {
    "service": "starts a runtime-kit service: `serve`, an in-process Service or the local one",
    "browser": "drives chromium (Playwright)",
    "ray": "runs on the session's local Ray cluster",
    "legacy": "needs the legacy qiskit-ibmq-provider venv (.venv-legacy), built on first use",
    "legacy_apps": "needs the legacy applications venv (.venv-legacy-apps: qiskit-nature 0.4 "
    "and qiskit-optimization 0.4 on qiskit-ibmq-provider 0.20.2), built on first use",
    "ibm_runtime": "needs the qiskit-ibm-runtime 0.51 venv (.venv-ibm-runtime), built on first use",
    "ibm_runtime_09": "needs the qiskit-ibm-runtime 0.9 venv (.venv-ibm-runtime-0.9), "
    "built on first use",
    "serverless": "needs the qiskit-serverless 0.37 venv (.venv-serverless), built on first use",
    "side_venv": "needs a side venv of another stack (tests/interop/side_venv.py)",
}

#: Fixtures that bring one of those, with the marker they give the tests using them.
MARKER_OF_FIXTURE = {
    "service": "service",  # in-process (tests/service), or a client of a real one
    "client": "service",
    "admin": "service",
    "as_role": "service",
    "real_server": "service",
    "server": "service",
    "ui_server": "service",
    "api_user": "service",
    "browser": "browser",
    "visitor": "browser",
    "ray_cluster": "ray",
    "ray_serve_args": "ray",
}

#: Set by ``--quick``: starting any of them then fails the test.
QUICK = {"armed": False}


def refuse(what: str, marker: str) -> None:
    """Fail the current test if this is a ``--quick`` run: it needs ``what``."""
    if QUICK["armed"]:
        pytest.fail(
            f"this test needs {what}: mark it @pytest.mark.{marker} "
            "(make check runs only the tests that need no service, browser, Ray or side venv)",
            pytrace=False,
        )
