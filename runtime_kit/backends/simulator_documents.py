"""The simulators' documents, as IBM Quantum's API described a backend: configuration and
properties.

These are the JSON documents qiskit-ibmq-provider (``QasmBackendConfiguration``,
``BackendProperties``) and qiskit-ibm-runtime 0.9-0.15 parse.  They are written from what
each simulator is (``runtime_kit.backends.simulators``), without building one: the service
process never imports qiskit.  Simulators have no properties (the legacy clients do not ask
for them); ``noisy-N`` is described as the device it simulates, with its readout errors as
properties.
"""

from __future__ import annotations

import datetime
import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from runtime_kit.backends.simulators import Simulator

#: When the simulators came online: the start of the process (a fixed date, so that a
#: document built twice is the same; its calibration is fixed too).
ONLINE_SINCE = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
#: As the job's ``ProgramBackend.configuration()`` reports them (a test keeps them equal).
MAX_SHOTS = 1_000_000
MAX_EXPERIMENTS = 1_000_000
#: qiskit's BasicSimulator runs at most this many qubits.
BASIC_SIMULATOR_QUBITS = 24
#: The gates of a device's basis (``generic-N``, ``noisy-N``: qiskit's GenericBackendV2).
DEVICE_BASIS = ("cx", "id", "rz", "sx", "x")
#: Gates Aer and BasicSimulator run, offered as the simulators' basis.
SIMULATOR_BASIS = ("cx", "cz", "id", "rz", "sx", "x", "y", "z", "h", "s", "sdg", "t", "tdg",
                   "rx", "ry", "p", "u", "u1", "u2", "u3", "swap", "ccx")  # fmt: skip
GATE_PARAMETERS = {"rz": ("theta",), "rx": ("theta",), "ry": ("theta",), "p": ("lambda",),
                   "u1": ("lambda",), "u2": ("phi", "lambda"), "u": ("theta", "phi", "lambda"),
                   "u3": ("theta", "phi", "lambda")}  # fmt: skip


def simulator_qubits(memory_mib: int) -> int:
    """Qubits whose statevector (16 bytes an amplitude) fits in a job's memory."""
    return int(math.log2(memory_mib * 1024 * 1024 / 16))


def is_device(spec: Simulator) -> bool:
    """Whether the backend is described as a device (with properties), not a simulator."""
    return spec.kind == "noisy"


def configuration(
    name: str, spec: Simulator, *, memory_mib: int, description: str = ""
) -> dict[str, Any]:
    """The backend's configuration (``QasmBackendConfiguration.from_dict`` reads it;
    qiskit-ibmq-provider refuses one without ``online_date``)."""
    sized = spec.num_qubits is not None
    basis = DEVICE_BASIS if sized else SIMULATOR_BASIS
    n_qubits = spec.num_qubits if spec.num_qubits is not None else simulator_qubits(memory_mib)
    if spec.kind == "basic":
        n_qubits = min(n_qubits, BASIC_SIMULATOR_QUBITS)
    coupling = [[a, b] for a in range(n_qubits) for b in range(n_qubits) if a != b]
    return {
        "backend_name": name,
        "backend_version": _version(),
        "description": description,
        "n_qubits": n_qubits,
        "basis_gates": list(basis),
        "gates": [_gate(gate, n_qubits if sized else None) for gate in basis],
        "coupling_map": coupling if sized else None,
        "local": False,
        "simulator": not is_device(spec),
        "conditional": True,
        "open_pulse": False,
        "memory": True,
        "max_shots": MAX_SHOTS,
        "max_experiments": MAX_EXPERIMENTS,
        "dynamic_reprate_enabled": False,
        "online_date": ONLINE_SINCE,
        "input_allowed": ["runtime"],
    }


def properties(name: str, spec: Simulator) -> dict[str, Any] | None:
    """``noisy-N``'s calibration (``BackendProperties.from_dict``): the readout errors of its
    qubits and gates without errors; None (no properties) for the others."""
    from runtime_kit.backends.simulators import readout_errors

    if not is_device(spec) or spec.num_qubits is None:
        return None
    date = ONLINE_SINCE
    qubits = [
        [
            _nduv("readout_error", (one_given_zero + zero_given_one) / 2, date),
            _nduv("prob_meas1_prep0", one_given_zero, date),
            _nduv("prob_meas0_prep1", zero_given_one, date),
        ]
        for one_given_zero, zero_given_one in readout_errors(spec.num_qubits)
    ]
    gates = []
    for gate in DEVICE_BASIS:
        for qubits_of_gate in _operands(gate, spec.num_qubits):
            label = f"{gate}{'_'.join(map(str, qubits_of_gate))}"
            gates.append(
                {"qubits": qubits_of_gate, "gate": gate, "name": label,
                 "parameters": [_nduv("gate_error", 0.0, date)]}
            )  # fmt: skip
    return {
        "backend_name": name,
        "backend_version": _version(),
        "last_update_date": date,
        "qubits": qubits,
        "gates": gates,
        "general": [],
    }


def _version() -> str:
    from runtime_kit import __version__

    return __version__


def _gate(name: str, n_qubits: int | None) -> dict[str, Any]:
    gate: dict[str, Any] = {
        "name": name,
        "parameters": list(GATE_PARAMETERS.get(name, ())),
        "qasm_def": "",
    }
    if n_qubits is not None:
        gate["coupling_map"] = _operands(name, n_qubits)
    return gate


def _operands(gate: str, n_qubits: int) -> list[list[int]]:
    if gate == "cx":
        return [[a, b] for a in range(n_qubits) for b in range(n_qubits) if a != b]
    return [[q] for q in range(n_qubits)]


def _nduv(name: str, value: float, date: str) -> dict[str, Any]:
    return {"date": date, "name": name, "unit": "", "value": value}
