"""Programs of 2021-2023, unchanged, with only a requirements.txt beside them: the shape of
the tutorial's ``sample_vqe.py`` (qiskit-terra 0.23, mthree, ``bind_parameters``, a SciPy
``OptimizeResult``) and of IBM's ``quantum-kernel-alignment`` (cvxopt), through
``runtime-kit run`` and through ``serve`` with the legacy client, interim results streamed.
Environments are built for real (uv, PyPI) into the shared test cache."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from runtime_kit import run_program
from runtime_kit.serialization import RuntimeDecoder
from tests.environments.conftest import ENVIRONMENTS, PROGRAMS
from tests.environments.legacy_client import LegacyService, start_legacy_service
from tests.environments.owner_domains import forget_owner_domains

#: A first run builds the environments (and the legacy client's venv): minutes on a loaded
#: machine; later runs reuse them from the shared test cache.
pytestmark = pytest.mark.timeout(1800)

HAMILTONIAN = [[1, "XX"], [1, "YY"], [1, "ZZ"]]  # ground state energy -3
KERNEL_INPUTS = json.loads((PROGRAMS / "kernel-alignment" / "inputs" / "example.json").read_text())


def test_sample_vqe_runs_unchanged(environments_dir: Path) -> None:
    interim: list[Any] = []
    record = run_program(
        PROGRAMS / "sample-vqe",
        params={"hamiltonian": HAMILTONIAN, "optimizer_config": {"maxiter": 4}, "shots": 512,
                "use_measurement_mitigation": True},
        seed=3,
        on_interim=lambda index, text: interim.append(json.loads(text, cls=RuntimeDecoder)),
    )  # fmt: skip
    assert record.status == "DONE", (record.error, record.traceback, record.logs[-3000:])
    result = record.result
    assert isinstance(result, dict), result
    assert result["nit"] == 4 and result["nfev"] == 9 and result["success"] is True
    assert -3.0 <= result["fun"] <= 3.0
    assert len(result["x"]) == 16  # EfficientSU2 on two qubits
    assert len(interim) == 4 and all(len(point) == 16 for point in interim)
    assert np.allclose(interim[-1], result["x"])
    assert record.backend == "aer_simulator"
    # an environment of its own: its own Qiskit's simulators only (no GenericBackendV2 there)
    refused = run_program(PROGRAMS / "sample-vqe", params={"hamiltonian": HAMILTONIAN},
                          backend="generic-5")  # fmt: skip
    assert refused.status == "ERROR" and refused.error == (
        "backend generic-5 is not offered to programs with an environment of their own: use "
        "aer_simulator (ibmq_qasm_simulator) or basic_simulator"
    )


def test_kernel_alignment_runs_with_cvxopt(environments_dir: Path) -> None:
    """Its requirements.txt says only ``cvxopt``: an overlay, cvxopt added to runtime-kit's
    own environment (its Qiskit, simulators and legacy paths), as IBM's image plus cvxopt."""
    interim: list[Any] = []
    built: list[str] = []
    record = run_program(
        PROGRAMS / "kernel-alignment",
        params=KERNEL_INPUTS,
        seed=5,
        on_build=built.append,
        on_interim=lambda index, text: interim.append(json.loads(text, cls=RuntimeDecoder)),
    )
    assert record.status == "DONE", (record.error, record.traceback, record.logs[-3000:])
    if built:  # the first run here
        assert any(
            line.startswith("1 package(s) to add to runtime-kit's own environment: cvxopt==")
            for line in built
        ), built
    assert [sorted(message) for message in interim] == [["cost", "kernel_parameters"]] * 3
    result = record.result
    assert isinstance(result, dict)
    kernel = np.asarray(result["aligned_kernel_matrix"])
    assert kernel.shape == (4, 4) and np.allclose(np.diag(kernel), 1.0)
    assert np.allclose(kernel, kernel.T) and (kernel >= 0).all() and (kernel <= 1).all()
    assert np.allclose(result["aligned_kernel_parameters"], interim[-1]["kernel_parameters"])
    # an overlay on runtime-kit's own environment: its simulators too
    noisy = run_program(PROGRAMS / "kernel-alignment", params=KERNEL_INPUTS, backend="noisy-5")
    assert noisy.status == "DONE" and noisy.backend == "noisy-5", noisy.error


@pytest.fixture(scope="module")
def legacy_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LegacyService]:
    ENVIRONMENTS.mkdir(parents=True, exist_ok=True)
    service = start_legacy_service(tmp_path_factory.mktemp("legacy-service"), ENVIRONMENTS)
    try:
        yield service
    finally:
        service.server.stop()
        forget_owner_domains(ENVIRONMENTS)


@pytest.mark.legacy
def test_the_legacy_client_runs_sample_vqe(legacy_service: LegacyService) -> None:
    program_id = legacy_service.upload(PROGRAMS / "sample-vqe")
    run = legacy_service.run(
        program_id,
        f"INPUTS = {{'hamiltonian': {HAMILTONIAN!r}, 'optimizer_config': {{'maxiter': 3}},"
        " 'shots': 512}",
        "SHOWN = {'fun': float(result['fun']), 'x': np.asarray(result['x']).tolist(),"
        " 'x_type': type(result['x']).__name__, 'nit': result['nit']}",
    )
    assert run.returncode == 0, run.stderr[-4000:] + legacy_service.server.stop()[-4000:]
    assert run.result["nit"] == 3 and run.result["x_type"] == "ndarray"
    # the parameter vectors, and only them: the final result is not an interim result
    points = run.interim
    assert len(points) == 3 and all(len(point) == 16 for point in points)
    assert np.allclose(points[-1], run.result["x"])


@pytest.mark.legacy
def test_the_legacy_client_runs_kernel_alignment(legacy_service: LegacyService) -> None:
    """Its data and labels arrive as ndarrays the legacy client encoded."""
    program_id = legacy_service.upload(PROGRAMS / "kernel-alignment")
    inputs = {**KERNEL_INPUTS, "maxiters": 2}
    run = legacy_service.run(
        program_id,
        f"INPUTS = {inputs!r}\n"
        "for name in ('data', 'labels', 'initial_kernel_parameters'):\n"
        "    INPUTS[name] = np.asarray(INPUTS[name])",
        "SHOWN = {'kernel': np.asarray(result['aligned_kernel_matrix']).tolist(),"
        " 'parameters': np.asarray(result['aligned_kernel_parameters']).tolist()}",
    )
    assert run.returncode == 0, run.stderr[-4000:] + legacy_service.server.stop()[-4000:]
    steps = [message for message in run.interim if "cost" in message]
    assert len(steps) == 2 and all(set(m) == {"cost", "kernel_parameters"} for m in steps)
    kernel = np.asarray(run.result["kernel"])
    assert kernel.shape == (4, 4) and np.allclose(np.diag(kernel), 1.0)
    assert np.allclose(run.result["parameters"], steps[-1]["kernel_parameters"])


@pytest.mark.legacy
def test_the_legacy_client_runs_a_terra_018_program_on_python_3_8(
    legacy_service: LegacyService,
) -> None:
    """Built on the service in its owner's domain (python-constraint's setup.py runs, in the
    build sandbox, fetching setuptools through the index proxy)."""
    program_id = legacy_service.upload(PROGRAMS / "terra018-vqe")
    run = legacy_service.run(
        program_id,
        "INPUTS = {'operator': [['ZZ', 1.0], ['XI', 0.4], ['IX', 0.4]], 'maxiter': 1}",
        "SHOWN = result",
    )
    assert run.returncode == 0, run.stderr[-4000:] + legacy_service.server.stop()[-4000:]
    assert run.result["terra"] == "0.18.3" and run.result["backend_class"] == "AerSimulator"
    steps = [message for message in run.interim if "evaluation" in message]
    assert [m["evaluation"] for m in steps] == list(range(1, run.result["evaluations"] + 1))
