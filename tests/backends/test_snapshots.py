"""The device snapshots: the name table matches the installed qiskit-ibm-runtime, and each
device's Target and noise, made from its JSON files without importing qiskit_ibm_runtime,
equal what qiskit-ibm-runtime's own fake backend makes of the same files."""

from __future__ import annotations

import subprocess
import sys
import warnings
from typing import Any

import pytest

from runtime_kit.backends.snapshots.device import Device
from runtime_kit.backends.snapshots.provider import SnapshotProvider, find_snapshot
from runtime_kit.backends.snapshots.table import GENERATED_FROM, SNAPSHOTS
from tests.backends.make_snapshot_table import rows

#: Instructions of IBM's newest devices that qiskit has no definition of (a second kind of
#: measurement and reset): left out of the targets, and so of what a program can run.
NOT_STANDARD = {"measure_2", "reset_2"}


def fake_backends() -> dict[str, Any]:
    from qiskit_ibm_runtime.fake_provider import FakeProviderForBackendV2

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # fake_nighthawk: its values are not typical
        return {backend.name: backend for backend in FakeProviderForBackendV2().backends()}


def fake_of(snapshot: Any, fakes: dict[str, Any]) -> Any:
    (alias,) = [name for name in (snapshot.name, *snapshot.aliases) if name.startswith("fake_")]
    return fakes[alias]


def test_the_table_is_the_installed_packages() -> None:
    """Regenerate with tests/backends/make_snapshot_table.py when this fails."""
    assert GENERATED_FROM.startswith("qiskit-ibm-runtime ")
    assert [tuple(snapshot) for snapshot in SNAPSHOTS] == rows()
    assert len(SNAPSHOTS) == 68


@pytest.mark.parametrize(
    ("name", "device"),
    [("ibmq_montreal", "ibmq_montreal"), ("FAKE_MONTREAL", "ibmq_montreal"),
     ("ibm_sherbrooke", "ibm_sherbrooke"), ("alt_auckland", "ibm_auckland"),
     ("ibmqx2", "ibmqx2"), ("fake_yorktown", "ibmqx2")],
)  # fmt: skip
def test_devices_answer_to_their_names_and_aliases(name: str, device: str) -> None:
    assert SnapshotProvider().find(name) == device


def test_naming_a_device_imports_neither_qiskit_nor_its_runtime() -> None:
    code = (
        "import sys\n"
        "from runtime_kit.harness.backends import parse_backend\n"
        "assert parse_backend('ibm_sherbrooke').provider == 'snapshots'\n"
        "from runtime_kit.backends.summary import show_backend\n"
        "assert show_backend('ibmq_montreal')['num_qubits'] == 27\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('qiskit', "
        "'qiskit_ibm_runtime', 'qiskit_aer', 'numpy')))\n"
    )
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert shown.stdout.strip() == "[]"


def described(target: Any) -> tuple[Any, ...]:
    operations = {}
    for name in target.operation_names:
        properties = target[name]
        operations[name] = (
            None
            if properties is None or None in properties
            else {q: None if p is None else (p.error, p.duration) for q, p in properties.items()}
        )
    qubits = [(p.t1, p.t2, p.frequency) for p in target.qubit_properties or []]
    timing = (target.dt, target.granularity, target.min_length, target.pulse_alignment,
              target.acquire_alignment)  # fmt: skip
    return target.num_qubits, operations, qubits, timing


def test_every_target_is_the_fake_backends() -> None:
    fakes = fake_backends()
    for snapshot in SNAPSHOTS:
        ours = described(Device(snapshot).target)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the fakes warn about their own data
            theirs = described(fake_of(snapshot, fakes).target)
        for name in NOT_STANDARD:
            theirs[1].pop(name, None)
        assert ours == theirs, snapshot.name


@pytest.mark.parametrize("name", ["ibmq_manila", "ibmq_montreal"])
def test_the_noise_is_the_fake_backends(name: str) -> None:
    """The same gate errors as Aer's model of the fake backend, and the readout errors of
    its calibration (asymmetric, as qiskit-ibm-runtime's own noisy simulation has them)."""
    from qiskit_aer.noise import NoiseModel

    snapshot = find_snapshot(name)
    assert snapshot is not None
    device = Device(snapshot)
    ours = device.noise.model(range(snapshot.num_qubits))
    fake = fake_of(snapshot, fake_backends())
    theirs = NoiseModel.from_backend(fake)
    assert _as_built(ours) == _as_built(theirs)
    assert len(ours._custom_noise_passes) == len(theirs._custom_noise_passes) == 1
    properties = fake.properties()
    for qubit in range(snapshot.num_qubits):
        readout = ours._local_readout_errors[(qubit,)]
        p10 = properties.qubit_property(qubit, "prob_meas1_prep0")[0]
        p01 = properties.qubit_property(qubit, "prob_meas0_prep1")[0]
        assert readout.probabilities.tolist() == [[1 - p10, p10], [p01, 1 - p01]]


def _as_built(model: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """A noise model's gate errors (per qubits, and the defaults), each as its circuits and
    their probabilities: the same errors built the same way. Stricter than QuantumError's
    ``==`` (equal channels) and ten times faster: building each error's channel took 6 of the
    7 s of this test on ibmq_montreal."""

    def built(error: Any) -> tuple[Any, list[float]]:
        return error.circuits, list(error.probabilities)

    local = {
        gate: {qubits: built(error) for qubits, error in errors.items()}
        for gate, errors in model._local_quantum_errors.items()
    }
    return local, {gate: built(error) for gate, error in model._default_quantum_errors.items()}


def test_a_reduced_model_has_the_whole_models_errors_on_its_qubits() -> None:
    snapshot = find_snapshot("ibmq_montreal")
    assert snapshot is not None
    device = Device(snapshot)
    whole = device.noise.model(range(27))
    part = device.noise.model([1, 2, 4])
    assert set(part._local_quantum_errors) == set(whole._local_quantum_errors)
    for gate, errors in part._local_quantum_errors.items():
        assert errors, gate
        for qubits, error in errors.items():
            assert set(qubits) <= {1, 2, 4}
            assert whole._local_quantum_errors[gate][qubits] == error
    covered = {q for errors in part._local_quantum_errors.values() for q in errors}
    assert (1, 2) in covered and (2, 1) in covered and (1, 4) in covered
    assert set(part._local_readout_errors) == {(1,), (2,), (4,)}
    assert device.noise.model([4, 2, 1]) is part  # kept
