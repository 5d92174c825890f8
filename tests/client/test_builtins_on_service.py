"""The built-in ``sampler`` and ``estimator`` programs on a real service, through the SDK.

Every service offers the programs of ``runtime_kit/builtin_programs/`` (public, owned by the
service; the folder name is the program id), seeded by ``runtime_kit.service.core.builtins``.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from qiskit.circuit import Parameter, QuantumCircuit
from qiskit.primitives import PrimitiveResult
from qiskit.primitives.containers.estimator_pub import EstimatorPub
from qiskit.primitives.containers.sampler_pub import SamplerPub

from runtime_kit.client.service import RuntimeService
from runtime_kit.primitives import EstimatorPubResult
from tests.service.real_server import RealServer


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealServer]:
    """A service with its built-in programs (the package's ``server`` leaves them out)."""
    running = RealServer(tmp_path_factory.mktemp("service") / "data").start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def client(server: RealServer) -> Iterator[RuntimeService]:
    """The SDK on the module's service (not the ``service`` fixture: it deletes every
    program it can see afterwards, built-ins included)."""
    sdk = RuntimeService(server.url, server.token)
    try:
        yield sdk
    finally:
        sdk.close()


def bell() -> QuantumCircuit:
    circuit = QuantumCircuit(2)
    circuit.h(0)
    circuit.cx(0, 1)
    return circuit


def test_sampler(client: RuntimeService) -> None:
    theta = Parameter("theta")
    rotation = QuantumCircuit(1)
    rotation.ry(theta, 0)
    rotation.measure_all()
    pubs = [
        SamplerPub.coerce((bell().measure_all(inplace=False),)),
        SamplerPub.coerce((rotation, np.array([[0.0], [np.pi]])), 50),
    ]
    inputs = {"pubs": pubs, "options": {"default_shots": 200}, "version": 2, "support_qiskit": True}
    result = client.run("sampler", {}, inputs).result(timeout=120)
    assert isinstance(result, PrimitiveResult)
    assert set(result[0].data.meas.get_counts()) == {"00", "11"}
    assert result[0].data.meas.num_shots == 200
    assert [result[1].data.meas[i].get_counts() for i in range(2)] == [{"0": 50}, {"1": 50}]


def test_estimator(client: RuntimeService) -> None:
    pubs = [EstimatorPub.coerce((bell(), ["ZZ", "XX", "ZI"]))]
    inputs = {"pubs": pubs, "options": {"default_precision": 0.02}, "version": 2}
    result = client.run("estimator", {}, {**inputs, "support_qiskit": True}).result(timeout=120)
    assert isinstance(result[0], EstimatorPubResult)
    np.testing.assert_allclose(result[0].data.evs, [1, 1, 0], atol=0.1)
    assert result[0].metadata["target_precision"] == 0.02
