"""The V2 primitive values of the interop tests, built alike in two stacks.

Imported by the tests here (with runtime-kit's span and result classes) and by
``make_primitive_vectors.py`` inside ``.venv-ibm-runtime`` (with qiskit-ibm-runtime's), so it
uses qiskit and numpy only and takes the classes that differ as arguments.
"""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from typing import Any

import numpy as np
from qiskit.circuit import Parameter, QuantumCircuit
from qiskit.primitives.containers import (
    BitArray,
    DataBin,
    PrimitiveResult,
    PubResult,
    SamplerPubResult,
)
from qiskit.primitives.containers.bindings_array import BindingsArray
from qiskit.primitives.containers.estimator_pub import EstimatorPub
from qiskit.primitives.containers.observables_array import ObservablesArray
from qiskit.primitives.containers.sampler_pub import SamplerPub
from qiskit.quantum_info import PauliLindbladMap, SparsePauliOp

UTC = datetime.UTC
START = datetime.datetime(2026, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)
STOP = datetime.datetime(2026, 5, 6, 7, 8, 11, 654321, tzinfo=UTC)


def bits(shape: tuple[int, ...], shots: int, num_bits: int, seed: int) -> BitArray:
    """Random outcomes; the unused high bits of each shot's first byte stay zero."""
    width = (num_bits + 7) // 8
    array = np.random.default_rng(seed).integers(0, 256, (*shape, shots, width), dtype=np.uint8)
    array[..., 0] &= (1 << (num_bits - 8 * (width - 1))) - 1
    return BitArray(array, num_bits)


def parametric_circuit() -> QuantumCircuit:
    theta, phi = Parameter("theta"), Parameter("phi")
    circuit = QuantumCircuit(2, name="pub")
    circuit.ry(theta, 0)
    circuit.rz(phi, 1)
    circuit.cx(0, 1)
    return circuit


def values(classes: SimpleNamespace) -> dict[str, Any]:
    """name -> value.  ``classes`` has the stack's ``SliceSpan``, ``DoubleSliceSpan``,
    ``TwirledSliceSpan``, ``TwirledSliceSpanV2``, ``ExecutionSpans`` and ``EstimatorPubResult``."""
    spans = {
        "slice_span": classes.SliceSpan(START, STOP, {0: ((2, 3, 50), slice(4, 250))}),
        "double_slice_span": classes.DoubleSliceSpan(
            START,
            STOP,
            {0: ((2, 3, 50), slice(1, 5), slice(0, 25)), 2: ((4,), slice(0, 1), slice(None, None))},
        ),
        "twirled_slice_span": classes.TwirledSliceSpan(
            START, STOP, {1: ((3, 2, 5, 8), True, slice(0, 20), slice(2, 6))}
        ),
        "twirled_slice_span_v2": classes.TwirledSliceSpanV2(
            START, STOP, {0: ((2, 5, 8), False, slice(0, 7), slice(0, 8), 36)}
        ),
    }
    execution_spans = classes.ExecutionSpans(list(spans.values()))
    measured = parametric_circuit()
    measured.measure_all()
    sampler_bin = DataBin(
        meas=bits((2, 3), 50, 10, seed=1), alpha=bits((2, 3), 50, 3, seed=2), shape=(2, 3)
    )
    estimator_bin = DataBin(
        evs=np.array([0.25, -0.5, 1.0]),
        stds=np.array([0.01, 0.02, 0.03]),
        ensemble_standard_error=np.array([0.011, 0.021, 0.031]),
        shape=(3,),
    )
    sampler_result = SamplerPubResult(sampler_bin, {"shots": 50, "circuit_metadata": {"tag": "a"}})
    estimator_result = classes.EstimatorPubResult(
        estimator_bin, {"target_precision": 0.015625, "shots": 4096, "circuit_metadata": {}}
    )
    return {
        "bit_array": bits((2, 3), 50, 10, seed=3),
        "bit_array_wide": bits((), 20, 70, seed=4),
        "data_bin_sampler": sampler_bin,
        "data_bin_estimator": estimator_bin,
        "data_bin_empty": DataBin(),
        "sampler_pub_result": sampler_result,
        "pub_result": PubResult(estimator_bin, {"target_precision": 0.1}),
        "estimator_pub_result": estimator_result,
        "primitive_result_sampler": PrimitiveResult(
            [
                sampler_result,
                SamplerPubResult(DataBin(meas=bits((), 10, 2, seed=5)), {"shots": 10}),
            ],
            {"execution": {"execution_spans": execution_spans}, "version": 2},
        ),
        "primitive_result_estimator": PrimitiveResult(
            [estimator_result],
            {
                "dynamical_decoupling": {"enable": False},
                "twirling": {"enable_gates": False},
                "version": 2,
            },
        ),
        "observables_array": ObservablesArray(
            [[SparsePauliOp(["XX", "ZZ"], [1.0, -0.5])], [{"IZ": 0.25}]]
        ),
        "bindings_array": BindingsArray(
            {("theta", "phi"): np.arange(12.0).reshape(2, 3, 2), "gamma": np.ones((2, 3))}
        ),
        "bindings_array_shape_only": BindingsArray(shape=(4,)),
        **spans,
        "execution_spans": execution_spans,
        "pauli_lindblad_map": PauliLindbladMap.from_sparse_list(
            [("XZ", [0, 3], 0.125), ("Y", [2], -0.5)], num_qubits=4
        ),
        "sampler_pub": SamplerPub.coerce((measured, np.array([[0.1, 0.2], [0.3, 0.4]]), 128)),
        "estimator_pub": EstimatorPub.coerce(
            (
                parametric_circuit(),
                [{"ZZ": 1.0}, {"XI": 0.5}],
                np.array([[0.5, 1.5], [2.5, 3.5]]),
                0.01,
            )
        ),
    }
