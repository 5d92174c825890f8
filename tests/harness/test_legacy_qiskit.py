"""Legacy ``qiskit.execute`` on today's API, on the real simulator."""

from __future__ import annotations

import pytest
from qiskit import QuantumCircuit
from qiskit.providers.basic_provider import BasicSimulator
from qiskit.transpiler import PassManager
from qiskit_aer import AerSimulator

from runtime_kit.errors import RemovedFeatureError
from runtime_kit.harness.legacy_qiskit import execute, schedule


@pytest.fixture
def bell() -> QuantumCircuit:
    circuit = QuantumCircuit(2)
    circuit.h(0)
    circuit.cx(0, 1)
    circuit.measure_all()
    return circuit


def test_execute_runs_1024_shots_by_default_as_legacy_did(bell: QuantumCircuit) -> None:
    backend = AerSimulator()
    backend.set_options(shots=100)
    result = execute(bell, backend, seed_simulator=5).result()
    assert sum(result.get_counts().values()) == 1024
    assert result.get_counts() == execute(bell, backend, seed_simulator=5).result().get_counts()


def test_execute_passes_transpile_and_run_options(bell: QuantumCircuit) -> None:
    job = execute(
        [bell, bell],
        AerSimulator(),
        initial_layout=[1, 0],
        optimization_level=0,
        seed_transpiler=3,
        shots=10,
        memory=True,
        method="statevector",  # **run_config reaches backend.run
        qobj_id="ignored",  # accepted: BackendV2 never saw it
    )
    result = job.result()
    assert len(result.get_memory(0)) == 10
    assert result.results[0].metadata["method"] == "statevector"


def test_execute_drops_run_options_the_backend_lacks(bell: QuantumCircuit) -> None:
    counts = execute(bell, BasicSimulator(), shots=8, rep_delay=1e-4).result().get_counts()
    assert sum(counts.values()) == 8


def test_execute_with_a_pass_manager_uses_it_instead_of_transpile(bell: QuantumCircuit) -> None:
    result = execute(bell, AerSimulator(), pass_manager=PassManager(), shots=5).result()
    assert sum(result.get_counts().values()) == 5
    from qiskit.exceptions import QiskitError

    with pytest.raises(QiskitError, match="pass_manager conflicts with: optimization_level"):
        execute(bell, AerSimulator(), pass_manager=PassManager(), optimization_level=1)


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("schedule_circuit", r"execute\(schedule_circuit=...\): pulse scheduling was removed"),
        ("backend_properties", r"transpile\(\) no longer takes backend properties"),
    ],
)
def test_execute_refuses_what_has_no_successor(
    bell: QuantumCircuit, option: str, message: str
) -> None:
    with pytest.raises(RemovedFeatureError, match=message):
        execute(bell, AerSimulator(), **{option: True})


def test_schedule_raises_naming_the_removal() -> None:
    with pytest.raises(RemovedFeatureError, match=r"qiskit.compiler.schedule \(pulse scheduling\)"):
        schedule([])
