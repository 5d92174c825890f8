"""A legacy ``QasmQobj`` (as a dict: what qiskit-ibmq-provider's ``backend.run`` uploads)
turned back into today's circuits and run options.  qiskit 2 has no ``qiskit.qobj``: this is
the reader.

A Qobj experiment is a flat list of instructions on flat qubit and memory-slot indices, with
the registers in its ``header`` (``qreg_sizes``, ``creg_sizes``, in the circuit's bit
order).  Gates are qiskit's standard gates by name, plus ``barrier``, ``unitary``,
``initialize``, ``pauli``, ``mcx`` and ``mcphase``/``mcu1``; a conditional operation refers
to a ``bfunc`` (mask and value over memory slots) that becomes an ``if_test`` on the
register, or the one bit, it tests.  Anything else is refused with the experiment and the
instruction named, never dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from runtime_kit.errors import InputValueError

#: ``config`` entries passed to ``backend.run``; the others describe the Qobj itself or a
#: device (``rep_delay``, ``meas_level``, ...) and a simulator has no use for them.
RUN_OPTIONS = ("shots", "memory", "seed_simulator")
#: The most shots one experiment may ask for.
MAX_SHOTS = 10_000_000


class QobjRun(NamedTuple):
    """The circuits of a Qobj, the options to run them with, and what the result echoes."""

    circuits: list[Any]  # QuantumCircuit
    run_options: dict[str, Any]
    headers: list[dict[str, Any]]  # each experiment's header, for its result
    qobj_id: str
    qobj_header: dict[str, Any]


def qobj_circuits(qobj: Any) -> QobjRun:
    """The circuits and run options of ``qobj`` (a ``QasmQobj`` as a dict).

    Raises:
        InputValueError: ``qobj`` is not a QASM Qobj this reader knows, saying where.
    """
    if not isinstance(qobj, dict):
        raise InputValueError("the Qobj must be a JSON object")
    if qobj.get("type", "QASM") != "QASM":
        raise InputValueError(f"only QASM Qobjs run here, not {qobj.get('type')!r:.40}")
    config = _object(qobj.get("config", {}), "config")
    experiments = qobj.get("experiments")
    if not isinstance(experiments, list) or not experiments:
        raise InputValueError("the Qobj has no experiments (a non-empty list)")
    circuits = [
        _experiment(index, _object(experiment, f"experiment {index}"))
        for index, experiment in enumerate(experiments)
    ]
    return QobjRun(
        circuits=circuits,
        run_options=_run_options(config),
        headers=[dict(e.get("header") or {}) for e in experiments],
        qobj_id=str(qobj.get("qobj_id", "")),
        qobj_header=dict(qobj.get("header") or {}),
    )


def _run_options(config: dict[str, Any]) -> dict[str, Any]:
    options = {key: config[key] for key in RUN_OPTIONS if config.get(key) is not None}
    shots = options.get("shots", 1024)
    if not isinstance(shots, int) or isinstance(shots, bool) or not 1 <= shots <= MAX_SHOTS:
        raise InputValueError(
            f"config.shots must be an integer from 1 to {MAX_SHOTS}: {shots!r:.40}"
        )
    options["shots"] = shots
    if "memory" in options and not isinstance(options["memory"], bool):
        raise InputValueError("config.memory must be true or false")
    seed = options.get("seed_simulator")
    if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool) or seed < 0):
        raise InputValueError("config.seed_simulator must be a non-negative integer")
    return options


class _Bits(NamedTuple):
    qubits: list[Any]
    clbits: list[Any]
    cregs: list[Any]


def _experiment(index: int, experiment: dict[str, Any]) -> Any:
    from qiskit import QuantumCircuit

    header = _object(experiment.get("header", {}), f"experiment {index} header")
    config = _object(experiment.get("config", {}), f"experiment {index} config")
    circuit = QuantumCircuit(name=str(header.get("name") or f"experiment-{index}"))
    bits = _registers(circuit, header, config, index)
    if header.get("global_phase"):
        circuit.global_phase = _number(header["global_phase"], f"experiment {index} global_phase")
    if isinstance(header.get("metadata"), dict):
        circuit.metadata = header["metadata"]
    instructions = experiment.get("instructions")
    if not isinstance(instructions, list):
        raise InputValueError(f"experiment {index}: instructions must be a list")
    conditions: dict[int, Any] = {}
    for number, instruction in enumerate(instructions):
        where = f"experiment {index}, instruction {number}"
        _append(circuit, bits, conditions, _object(instruction, where), where)
    return circuit


def _registers(circuit: Any, header: dict[str, Any], config: dict[str, Any], index: int) -> _Bits:
    from qiskit.circuit import ClassicalRegister, Clbit, QuantumRegister, Qubit

    where = f"experiment {index} header"
    for name, size in _sizes(header.get("qreg_sizes", []), f"{where} qreg_sizes"):
        circuit.add_register(QuantumRegister(size, name))
    for name, size in _sizes(header.get("creg_sizes", []), f"{where} creg_sizes"):
        circuit.add_register(ClassicalRegister(size, name))
    n_qubits = _count(header.get("n_qubits", config.get("n_qubits", circuit.num_qubits)), where)
    memory_slots = _count(
        header.get("memory_slots", config.get("memory_slots", circuit.num_clbits)), where
    )
    if n_qubits > circuit.num_qubits:  # bits outside any register
        circuit.add_bits([Qubit() for _ in range(n_qubits - circuit.num_qubits)])
    if memory_slots > circuit.num_clbits:
        circuit.add_bits([Clbit() for _ in range(memory_slots - circuit.num_clbits)])
    return _Bits(list(circuit.qubits), list(circuit.clbits), list(circuit.cregs))


def _append(
    circuit: Any, bits: _Bits, conditions: dict[int, Any], instruction: dict[str, Any], where: str
) -> None:
    name = instruction.get("name")
    if not isinstance(name, str):
        raise InputValueError(f"{where}: no instruction name")
    if name == "bfunc":
        register = _count(instruction.get("register"), f"{where} (bfunc) register")
        conditions[register] = _condition(instruction, bits, where)
        return
    indices = _list(instruction.get("qubits", []), where)
    qubits = [_bit(bits.qubits, index, f"{where} ({name}) qubit") for index in indices]
    if name == "measure":
        slots = _list(instruction.get("memory", []), where)
        clbits = [_bit(bits.clbits, m, f"{where} (measure) memory slot") for m in slots]
        if len(clbits) != len(qubits):
            raise InputValueError(f"{where}: measure needs one memory slot per qubit")
        measure = _standard("measure", [], where)
        operations = [(measure, [q], [c]) for q, c in zip(qubits, clbits, strict=True)]
    else:
        operations = [
            (_operation(name, instruction.get("params", []), len(qubits), where), qubits, [])
        ]
    conditional = instruction.get("conditional")
    for operation, on_qubits, on_clbits in operations:
        if operation.num_qubits != len(on_qubits):
            raise InputValueError(
                f"{where}: {name} acts on {operation.num_qubits} qubit(s), not {len(on_qubits)}"
            )
        if conditional is None:
            circuit.append(operation, on_qubits, on_clbits)
            continue
        register = _count(conditional, f"{where} conditional")
        if register not in conditions:
            raise InputValueError(
                f"{where}: conditional on register {register}, which no bfunc set"
            )
        with circuit.if_test(conditions[register]):
            circuit.append(operation, on_qubits, on_clbits)


def _condition(instruction: dict[str, Any], bits: _Bits, where: str) -> tuple[Any, int]:
    """A bfunc as an ``if_test`` condition: (register, value) or (clbit, value)."""
    if instruction.get("relation", "==") != "==":
        raise InputValueError(
            f"{where}: bfunc relation {instruction.get('relation')!r:.20} (only ==)"
        )
    mask, value = _hex(instruction.get("mask"), where), _hex(instruction.get("val"), where)
    slots = [slot for slot in range(mask.bit_length()) if mask >> slot & 1]
    if not slots or slots[-1] >= len(bits.clbits):
        raise InputValueError(
            f"{where}: bfunc mask {instruction.get('mask')!r:.40} names no memory slots here"
        )
    tested = [bits.clbits[slot] for slot in slots]
    for register in bits.cregs:
        if list(register) == tested:
            return register, value >> slots[0]
    if len(tested) == 1:
        return tested[0], value >> slots[0] & 1
    raise InputValueError(f"{where}: a bfunc on memory slots {slots} that are not one register")


def _operation(name: str, params: Any, width: int, where: str) -> Any:
    values = _list(params, f"{where} params")
    special = _SPECIAL.get(name)
    if special is not None:
        return special(values, width, where)
    return _standard(name, [_number(v, f"{where} ({name}) param") for v in values], where)


def _standard(name: str, params: Sequence[float], where: str) -> Any:
    from qiskit.circuit.library import get_standard_gate_name_mapping

    known = get_standard_gate_name_mapping().get(name)
    if known is None:
        raise InputValueError(
            f"{where}: {name!r:.40} is not an instruction this service runs (standard gates, "
            "barrier, measure, reset, unitary, initialize, pauli, mcx, mcphase; transpile for "
            "the backend first)"
        )
    if len(params) != len(known.params):
        raise InputValueError(
            f"{where}: {name} takes {len(known.params)} parameter(s), not {len(params)}"
        )
    if name == "delay":  # a Qobj names no unit: whole numbers are dt, others seconds
        from qiskit.circuit import Delay

        duration = params[0]
        return Delay(int(duration), "dt") if duration.is_integer() else Delay(duration, "s")
    return known.base_class(*params) if params else known


def _barrier(params: list[Any], width: int, where: str) -> Any:
    from qiskit.circuit import Barrier

    return Barrier(width)


def _unitary(params: list[Any], width: int, where: str) -> Any:
    import numpy as np
    from qiskit.circuit.library import UnitaryGate

    if len(params) != 1:
        raise InputValueError(f"{where}: unitary takes one matrix")
    rows = _list(params[0], where)
    matrix = np.array([[_complex(v, where) for v in _list(row, where)] for row in rows])
    try:
        return UnitaryGate(matrix)
    except Exception as exc:
        raise InputValueError(f"{where}: unitary: {exc}") from exc


def _initialize(params: list[Any], width: int, where: str) -> Any:
    from qiskit.circuit.library import Initialize

    amplitudes = [_complex(v, where) for v in params]
    try:
        return Initialize(amplitudes)
    except Exception as exc:
        raise InputValueError(f"{where}: initialize: {exc}") from exc


def _pauli(params: list[Any], width: int, where: str) -> Any:
    from qiskit.circuit.library import PauliGate

    if len(params) != 1 or not isinstance(params[0], str) or len(params[0]) != width:
        raise InputValueError(f"{where}: pauli takes one label of {width} letters")
    try:
        return PauliGate(params[0])
    except Exception as exc:
        raise InputValueError(f"{where}: pauli: {exc}") from exc


def _mcx(params: list[Any], width: int, where: str) -> Any:
    from qiskit.circuit.library import MCXGate

    if params or width < 2:
        raise InputValueError(f"{where}: mcx takes no parameters and at least 2 qubits")
    return MCXGate(width - 1)


def _mcphase(params: list[Any], width: int, where: str) -> Any:
    from qiskit.circuit.library import MCPhaseGate

    if len(params) != 1 or width < 2:
        raise InputValueError(f"{where}: mcphase takes one angle and at least 2 qubits")
    return MCPhaseGate(_number(params[0], where), width - 1)


_SPECIAL: dict[str, Callable[[list[Any], int, str], Any]] = {
    "barrier": _barrier,
    "unitary": _unitary,
    "initialize": _initialize,
    "pauli": _pauli,
    "mcx": _mcx,
    "mcphase": _mcphase,
    "mcu1": _mcphase,
}


# --- values ------------------------------------------------------------------------------


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InputValueError(f"{where} must be an object")
    return value


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise InputValueError(f"{where}: expected a list, not {type(value).__name__}")
    return value


def _count(value: Any, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InputValueError(f"{where}: expected a non-negative integer, not {value!r:.40}")
    return value


def _bit(bits: list[Any], index: Any, where: str) -> Any:
    position = _count(index, where)
    if position >= len(bits):
        raise InputValueError(
            f"{where} {position} is out of range (the experiment has {len(bits)})"
        )
    return bits[position]


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputValueError(f"{where}: expected a number, not {value!r:.40}")
    return float(value)


def _complex(value: Any, where: str) -> complex:
    """A complex number as the provider's encoder wrote it: ``[real, imag]``, or a number."""
    if isinstance(value, list) and len(value) == 2:
        return complex(_number(value[0], where), _number(value[1], where))
    return complex(_number(value, where))


def _hex(value: Any, where: str) -> int:
    if not isinstance(value, str) or not value.lower().startswith("0x"):
        raise InputValueError(
            f"{where}: bfunc mask and val are hexadecimal strings, not {value!r:.40}"
        )
    try:
        return int(value, 16)
    except ValueError as exc:
        raise InputValueError(f"{where}: {value!r:.40} is not hexadecimal") from exc


def _sizes(value: Any, where: str) -> list[tuple[str, int]]:
    pairs = []
    for pair in _list(value, where):
        if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str)):
            raise InputValueError(f"{where}: each entry is [name, size], not {pair!r:.40}")
        pairs.append((pair[0], _count(pair[1], where)))
    return pairs
