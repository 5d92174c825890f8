"""A device snapshot inside a program: it behaves like the device (target, configuration,
calibration), refuses what the device could not run naming the first offending
instruction, runs what ``transpile`` makes of it with the device's noise, and draws fresh
shots per call from the run's seed."""

from __future__ import annotations

from typing import Any

import pytest
from qiskit import QuantumCircuit, transpile
from qiskit.circuit.library import HGate

from runtime_kit.errors import CircuitNotRunnableError
from runtime_kit.harness.backends import build_backend, parse_backend
from runtime_kit.program.properties import BackendPropertyError


def ghz(size: int = 3) -> QuantumCircuit:
    circuit = QuantumCircuit(size, name="ghz")
    circuit.h(0)
    for qubit in range(size - 1):
        circuit.cx(qubit, qubit + 1)
    circuit.measure_all()
    return circuit


@pytest.fixture(scope="module")
def manila() -> Any:
    return build_backend(parse_backend("ibmq_manila"), seed=11)


def test_it_is_the_device(manila: Any) -> None:
    assert manila.name == "ibmq_manila" and manila.name() == "ibmq_manila"
    assert manila.num_qubits == 5
    assert set(manila.operation_names) >= {"cx", "rz", "sx", "x", "measure", "reset", "delay"}
    edges = {tuple(edge) for edge in manila.coupling_map.get_edges()}
    assert edges == {(0, 1), (1, 0), (1, 2), (2, 1), (2, 3), (3, 2), (3, 4), (4, 3)}
    config = manila.configuration()
    assert (config.simulator, config.local) == (False, False)
    assert config.n_qubits == config.num_qubits == 5
    assert config.max_shots == 100_000 and config.max_experiments == 300
    assert config.processor_type == {"family": "Falcon", "revision": "5.11", "segment": "L"}
    assert config.dt == pytest.approx(0.2222222222222222e-9)


def test_its_calibration_reads_as_legacy_programs_read_it(manila: Any) -> None:
    properties = manila.properties()
    assert properties.backend_name == "ibmq_manila"
    t1 = properties.t1(0)
    assert 1e-6 < t1 < 1e-2  # seconds, from microseconds
    assert properties.frequency(0) > 1e9  # hertz, from GHz
    assert properties.gate_error("cx", [0, 1]) == manila.target["cx"][(0, 1)].error
    assert properties.gate_length("cx", (0, 1)) == manila.target["cx"][(0, 1)].duration
    assert properties.readout_error(3) == manila.target["measure"][(3,)].error
    assert properties.faulty_qubits() == [] and properties.faulty_gates() == []
    assert properties.qubits[0][0].unit == "us" and properties.gates[0].gate
    assert properties.to_dict()["backend_name"] == "ibmq_manila"
    with pytest.raises(BackendPropertyError, match="no properties of gate 'cx' on qubits"):
        properties.gate_error("cx", [0, 4])
    with pytest.raises(BackendPropertyError, match="no properties of qubit 9"):
        properties.t1(9)


def test_a_gate_outside_the_basis_is_refused(manila: Any) -> None:
    with pytest.raises(CircuitNotRunnableError) as refused:
        manila.run(ghz())
    message = str(refused.value)
    assert message.startswith("circuit 0 ('ghz'), instruction 0 (h on qubits [0]): h is not")
    assert "ibmq_manila" in message and "transpile(circuit, backend)" in message
    assert (refused.value.circuit, refused.value.instruction) == (0, 0)


def test_a_gate_off_the_coupling_map_is_refused(manila: Any) -> None:
    fine = transpile(ghz(), manila, seed_transpiler=1)
    off = QuantumCircuit(5, 1, name="far")
    off.x(0)
    off.cx(0, 3)
    with pytest.raises(CircuitNotRunnableError) as refused:
        manila.run([fine, off])
    assert str(refused.value).startswith(
        "circuit 1 ('far'), instruction 1 (cx on qubits [0, 3]): ibmq_manila has no cx between "
        "qubits [0, 3] (see its coupling map)"
    )
    assert (refused.value.circuit, refused.value.instruction) == (1, 1)


def test_too_many_qubits_are_refused(manila: Any) -> None:
    with pytest.raises(CircuitNotRunnableError, match=r"circuit 0 \('wide'\) has 6 qubits; "):
        manila.run(QuantumCircuit(6, name="wide"))


def test_control_flow_bodies_are_checked_too(manila: Any) -> None:
    circuit = QuantumCircuit(5, 1, name="dynamic")
    circuit.x(2)
    circuit.measure(2, 0)
    with circuit.if_test((circuit.clbits[0], 1)):
        circuit.append(HGate(), [3])
    with pytest.raises(CircuitNotRunnableError, match=r"\(h on qubits \[3\]\): h is not"):
        manila.run(circuit)


def test_transpile_makes_it_runnable_and_the_noise_shows(manila: Any) -> None:
    runnable = transpile(ghz(), manila, seed_transpiler=1)
    counts = manila.run(runnable, shots=4000).result().get_counts()
    assert sum(counts.values()) == 4000
    right = counts.get("000", 0) + counts.get("111", 0)
    assert 0.8 * 4000 < right < 4000  # noisy: some shots elsewhere, most on GHZ outcomes


def test_each_call_draws_fresh_shots_and_a_run_repeats() -> None:
    def three_runs(seed: int) -> list[dict[str, int]]:
        backend = build_backend(parse_backend("fake_manila"), seed=seed)
        circuit = transpile(ghz(), backend, seed_transpiler=1)
        return [backend.run(circuit, shots=500).result().get_counts() for _ in range(3)]

    first = three_runs(5)
    assert first[0] != first[1] != first[2]
    assert three_runs(5) == first


def test_aer_primitives_run_on_it_and_want_isa_circuits(manila: Any) -> None:
    from qiskit_aer.primitives import SamplerV2

    sampler = SamplerV2.from_backend(manila)
    runnable = transpile(ghz(), manila, seed_transpiler=1)
    counts = sampler.run([runnable], shots=300).result()[0].data.meas.get_counts()
    assert sum(counts.values()) == 300 and len(counts) > 2  # the device's noise
    with pytest.raises(CircuitNotRunnableError, match="h is not an instruction of ibmq_manila"):
        sampler.run([ghz()]).result()


def test_a_large_device_costs_what_the_circuit_needs() -> None:
    """A 3-qubit circuit on the 127-qubit device: its noise model covers those 3 qubits."""
    sherbrooke = build_backend(parse_backend("ibm_sherbrooke"), seed=3)
    runnable = transpile(ghz(), sherbrooke, seed_transpiler=1)
    counts = sherbrooke.run(runnable, shots=1000).result().get_counts()
    assert sum(counts.values()) == 1000
    device = sherbrooke.wrapped.device
    (covered,) = [key for key in device.noise._models if len(key) == 3]
    used = {runnable.find_bit(q).index for i in runnable.data for q in i.qubits}
    assert covered == used
