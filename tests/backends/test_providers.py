"""Backend providers: the built-in ones and a plug-in package made and installed by the test,
used alike by the name registry, ``runtime-kit backends``, ``runtime-kit run`` (the job's
process builds the plug-in's backend) and a service (its backend list and documents)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from runtime_kit.backends import registry
from runtime_kit.backends.provider import BackendProvider, BackendSpec
from runtime_kit.backends.registry import Backends, get_provider, provider_names
from runtime_kit.errors import ConfigurationError, InputValueError
from runtime_kit.service.service import Service
from tests.backends.toy_plugin import install_toy_plugin
from tests.conftest import ROOT

RUNTIME_KIT = str(Path(sys.executable).with_name("runtime-kit"))
HELLO = ROOT / "examples" / "hello"


@pytest.fixture(scope="module")
def toy_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return install_toy_plugin(tmp_path_factory.mktemp("toy"))


@pytest.fixture
def toy(toy_site: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The plug-in importable in this process (and its providers forgotten after)."""
    monkeypatch.syspath_prepend(str(toy_site))
    loaded = dict(registry._loaded)
    yield toy_site
    registry._loaded.clear()
    registry._loaded.update(loaded)
    for module in [name for name in sys.modules if name.startswith("rk_toy_provider")]:
        del sys.modules[module]


def with_toy(site: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(site)}


def test_the_built_in_providers_are_providers() -> None:
    for name in ("simulators", "snapshots"):
        provider = get_provider(name)
        assert isinstance(provider, BackendProvider) and provider.name == name
    assert Backends().provider_names == ("simulators", "snapshots")


def test_a_plugin_is_found_by_its_entry_point_and_asked_first(toy: Path) -> None:
    assert {"toy", "toy_fake", "toy_broken", "toy_misnamed"} <= set(provider_names())
    backends = Backends(["toy"])
    assert backends.provider_names == ("toy", "simulators", "snapshots")
    assert backends.resolve("toy") == BackendSpec("toy", "toy_pair")
    assert backends.resolve("aer") == BackendSpec("simulators", "aer_simulator")
    assert [info.name for _, info in backends.listed()][:2] == ["toy_pair", "ibmq_qasm_simulator"]
    with pytest.raises(InputValueError, match="'toy_trio': expected a backend of toy, or "):
        backends.resolve("toy_trio")
    get_provider("toy").prepare(["toy_pair"])
    assert sys.modules["rk_toy_provider"].PREPARED == ["toy_pair"]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("toy_fake", "backend provider 'toy_fake' is not a BackendProvider (it has no name, "
         "backends, find, configuration, properties, build, prepare)"),
        ("toy_broken", "backend provider 'toy_broken' (rk_toy_provider_missing:provider) cannot "
         "be loaded: No module named 'rk_toy_provider_missing'"),
        ("toy_misnamed", "backend provider 'toy_misnamed' calls itself 'toy'"),
        ("nowhere", "no backend provider 'nowhere': expected one of simulators, snapshots, "),
    ],
)  # fmt: skip
def test_a_provider_that_cannot_work_is_a_configuration_error(
    toy: Path, name: str, message: str
) -> None:
    with pytest.raises(ConfigurationError) as refused:
        get_provider(name)
    assert str(refused.value).startswith(message)


def test_backends_list_and_show_take_the_plugin(toy: Path) -> None:
    listed = subprocess.run(
        [RUNTIME_KIT, "backends", "list", "--backend-provider", "toy", "--json"],
        env=with_toy(toy), capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    first = json.loads(listed.stdout)[0]
    assert first == {"name": "toy_pair", "provider": "toy", "num_qubits": 2, "simulator": True,
                     "description": "two ideal qubits (a plug-in)", "aliases": ["toy"]}  # fmt: skip
    shown = subprocess.run(
        [RUNTIME_KIT, "backends", "show", "toy", "--backend-provider", "toy", "--json"],
        env=with_toy(toy), capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    details = json.loads(shown.stdout)
    assert (details["name"], details["coupling_map"], details["calibration"]) == (
        "toy_pair",
        [[0, 1], [1, 0]],
        None,
    )
    missing = subprocess.run(
        [RUNTIME_KIT, "backends", "list", "--backend-provider", "nowhere"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert missing.returncode == 3
    assert "error: no backend provider 'nowhere'" in missing.stderr


def test_runtime_kit_run_builds_the_plugins_backend_in_the_jobs_process(toy: Path) -> None:
    ran = subprocess.run(
        [RUNTIME_KIT, "run", str(HELLO), "--backend-provider", "toy", "--backend", "toy",
         "--param", "iterations=1", "--seed", "3", "--json"],
        env=with_toy(toy), capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    record = json.loads(ran.stdout)
    assert (record["status"], record["backend"]) == ("DONE", "toy_pair")


def test_a_service_offers_the_plugins_backends(toy: Path, tmp_path: Path) -> None:
    service = Service(
        tmp_path / "data", admin_token="admin-secret", builtin_programs=False,
        backend_providers=("toy",), sandbox="none",
    )  # fmt: skip
    try:
        assert service.health()["backend_providers"] == ["toy", "simulators", "snapshots"]
        headers = {"X-Access-Token": "admin-secret"}
        with TestClient(service.app()) as client:
            devices = client.get("/backends", headers=headers).json()["devices"]
            assert devices[:2] == ["toy_pair", "ibmq_qasm_simulator"]
            document = client.get("/backends/toy/configuration", headers=headers).json()
            assert (document["backend_name"], document["max_experiments"]) == ("toy", 7)
            assert client.get("/backends/toy_pair/properties", headers=headers).json() == {}
    finally:
        service.stop()


def test_a_service_with_a_provider_that_cannot_load_does_not_start(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="no backend provider 'nowhere'"):
        Service(tmp_path / "data", admin_token="admin-secret", backend_providers=("nowhere",),
                sandbox="none")  # fmt: skip
