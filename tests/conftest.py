"""Suite-wide guards."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests import needs
from tests.parallel import group_of


@pytest.fixture(autouse=True, scope="session")
def _no_writes_to_the_real_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Point HOME and the XDG directories at temporary ones for the whole session, and check
    afterwards that nothing appeared in the real ones (permissions cannot guard them: tests
    run as root here)."""
    watched = _real_home_places()
    before = _snapshot(watched)
    fake_home = tmp_path_factory.mktemp("home")
    # Program environments find pyenv's Pythons in the real home (only read there).
    pyenv = Path(os.environ.get("HOME") or Path.home()) / ".pyenv"
    if "PYENV_ROOT" not in os.environ and pyenv.is_dir():
        os.environ["PYENV_ROOT"] = str(pyenv)
    saved = {key: os.environ.get(key) for key in _HOME_VARIABLES}
    for key in _HOME_VARIABLES:
        os.environ[key] = str(fake_home / key.lower()) if key != "HOME" else str(fake_home)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    appeared = sorted(_snapshot(watched) - before)
    assert not appeared, f"tests wrote to the real home: {appeared[:20]}"


_HOME_VARIABLES = ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME")
_XDG_DEFAULTS = {
    "XDG_CONFIG_HOME": ".config",
    "XDG_DATA_HOME": ".local/share",
    "XDG_STATE_HOME": ".local/state",
    "XDG_CACHE_HOME": ".cache",
}
#: What the tools the tests run would write in a home of their own (the machine may be
#: shared: other people's programs writing their own folders are not the tests' doing).
_TOOL_PATHS = (".cookiecutters", ".cookiecutter_replay", ".cookiecutterrc", ".qiskit",
               ".pre-commit", ".cache/pre-commit", ".runtime-kit")  # fmt: skip


def _real_home_places() -> tuple[list[Path], list[Path], list[Path]]:
    """Paths watched in the real home: (whose presence, whose entries, whose whole tree)
    matter.  The tools' own paths in the home; runtime-kit's folders in the XDG directories,
    the data one watched one level deep only (a local service of your own may be running)."""
    home = Path(os.environ.get("HOME") or Path.home())
    bases = {
        key: Path(os.environ.get(key) or home / default) for key, default in _XDG_DEFAULTS.items()
    }
    data = bases.pop("XDG_DATA_HOME") / "runtime-kit"
    tools = [home / path for path in _TOOL_PATHS]
    return tools, [data], [base / "runtime-kit" for base in bases.values()]


def _snapshot(places: tuple[list[Path], list[Path], list[Path]]) -> set[str]:
    present, shallow, deep = places
    found = {str(path) for path in (*present, *shallow, *deep) if path.exists()}
    for place in shallow:
        if place.is_dir():
            found |= {str(path) for path in place.iterdir()}
    for place in deep:
        if place.is_dir():
            found |= {str(path) for path in place.rglob("*")}
    return found


ROOT = Path(__file__).resolve().parents[1]
#: The built-in programs every service offers, by id (= name), in the order services list them.
BUILTIN_PROGRAMS = [
    "circuit-runner",
    "estimator",
    "hello-world",
    "qaoa",
    "quantum-kernel-alignment",
    "sample-program",
    "sampler",
    "vqe",
]


def run_command(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """``runtime-kit ARGS...`` in a real subprocess, as a user runs it (60 s deadline)."""
    return subprocess.run(
        [str(Path(sys.executable).with_name("runtime-kit")), *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--quick",
        action="store_true",
        help="only the tests that need no service, browser, Ray or side venv (make check); "
        "one of them that starts one anyway fails (tests/needs.py)",
    )


def pytest_configure(config: pytest.Config) -> None:
    for name, meaning in needs.MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {meaning}")


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups (its loadgroup suffix)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    side_venvs = {"legacy", "legacy_apps", "ibm_runtime", "ibm_runtime_09", "serverless"}
    parallel = config.pluginmanager.hasplugin("xdist")
    for item in items:
        for fixture in item.fixturenames:
            marker = needs.MARKER_OF_FIXTURE.get(fixture)
            if marker is not None:
                item.add_marker(marker)
        if any(item.get_closest_marker(name) for name in side_venvs):
            item.add_marker("side_venv")
        if _a_ray_parameter(item):  # an executor parameter (the contract suite's "ray")
            item.add_marker("ray")
            item.add_marker("service")
        group = parallel and group_of(item)
        if group:  # tests/parallel.py
            item.add_marker(pytest.mark.xdist_group(group))
    if not config.getoption("quick"):
        return
    kept, left = [], []
    for item in items:
        needed = any(item.get_closest_marker(name) for name in needs.MARKERS)
        (left if needed else kept).append(item)
    config.hook.pytest_deselected(items=left)
    items[:] = kept


def _a_ray_parameter(item: pytest.Item) -> bool:
    callspec = getattr(item, "callspec", None)
    values = callspec.params.values() if callspec is not None else ()
    return any(isinstance(value, str) and value == "ray" for value in values)


@pytest.fixture(autouse=True, scope="session")
def _quick_runs_refuse_what_they_left_out(request: pytest.FixtureRequest) -> Iterator[None]:
    """In a ``--quick`` run, a test that starts a service or Ray fails (tests/needs.py);
    side venvs refuse by themselves (tests/interop/side_venv.py)."""
    if not request.config.getoption("quick"):
        yield
        return
    from runtime_kit.service.service import Service
    from tests.service.ray_cluster import LocalRayCluster
    from tests.service.real_server import RealServer

    needs.QUICK["armed"] = True
    with pytest.MonkeyPatch.context() as patch:
        for owner, what, marker in (
            (RealServer, "a service (runtime-kit serve)", "service"),
            (Service, "a service (in-process)", "service"),
            (LocalRayCluster, "a Ray cluster", "ray"),
        ):
            patch.setattr(owner, "start", _refusing(owner.start, what, marker))
        yield
    needs.QUICK["armed"] = False


def _refusing(start: Any, what: str, marker: str) -> Any:
    def refused(*args: Any, **kwargs: Any) -> Any:
        needs.refuse(what, marker)
        return start(*args, **kwargs)

    return refused
