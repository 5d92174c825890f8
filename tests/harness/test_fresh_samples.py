"""Every sampling call of a run draws fresh shots, and a run repeats exactly from its seed.

Real child processes through ``run_program``; the programs sample a fair coin (H then
measure) again and again within one job, by ``backend.run``, batches and V2 primitives.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from scipy.stats import chisquare

from runtime_kit.harness.record import DONE
from runtime_kit.harness.runner import run_program
from runtime_kit.program.seeds import SeedStream
from tests.harness.test_run import make_program

COIN = """
from qiskit import QuantumCircuit, transpile

def coin():
    circuit = QuantumCircuit(1, 1)
    circuit.h(0)
    circuit.measure(0, 0)
    return circuit
"""

BACKEND_RUN = (
    COIN
    + """
def main(backend, user_messenger, calls=3, shots=1000):
    circuit = transpile(coin(), backend)
    return [backend.run(circuit, shots=shots).result().get_counts() for _ in range(calls)]
"""
)

BATCH = (
    COIN
    + """
def main(backend, user_messenger):
    circuit = transpile(coin(), backend)
    return backend.run([circuit] * 3, shots=1000).result().get_counts()
"""
)

PRIMITIVES = (
    COIN
    + """
from qiskit.primitives import BackendSamplerV2, BackendEstimatorV2
from qiskit.quantum_info import SparsePauliOp
from qiskit_aer.primitives import SamplerV2, EstimatorV2

def main(backend, user_messenger):
    circuit = transpile(coin(), backend)
    unmeasured = circuit.remove_final_measurements(inplace=False)
    z = SparsePauliOp("Z")
    out = {}
    for name, sampler in (
        ("backend_sampler", BackendSamplerV2(backend=backend)),
        ("aer_sampler", SamplerV2.from_backend(backend)),
    ):
        out[name] = [
            sampler.run([circuit], shots=500).result()[0].data.c.get_counts() for _ in range(3)
        ]
    estimator = BackendEstimatorV2(backend=backend, options={"default_precision": 0.05})
    out["backend_estimator"] = [
        float(estimator.run([(unmeasured, z)]).result()[0].data.evs) for _ in range(3)
    ]
    aer = EstimatorV2.from_backend(backend, options={"default_precision": 0.05})
    out["aer_estimator"] = [
        float(aer.run([(unmeasured, z)]).result()[0].data.evs) for _ in range(3)
    ]
    return out
"""
)


def _run(directory: Path, source: str, **options: Any) -> Any:
    record = run_program(make_program(directory, source), **options)
    assert record.status == DONE, record.error
    return record.result


@pytest.mark.parametrize("backend", ["aer_simulator", "basic_simulator", "generic-3", "noisy-2"])
def test_repeated_calls_in_one_job_draw_fresh_shots(tmp_path: Path, backend: str) -> None:
    first = _run(tmp_path / "a", BACKEND_RUN, backend=backend, seed=5)
    assert len({tuple(sorted(counts.items())) for counts in first}) == 3, first
    again = _run(tmp_path / "b", BACKEND_RUN, backend=backend, seed=5)
    assert again == first  # call by call
    other = _run(tmp_path / "c", BACKEND_RUN, backend=backend, seed=6)
    assert other != first


def test_the_circuits_of_one_batch_draw_fresh_shots(tmp_path: Path) -> None:
    counts = _run(tmp_path, BATCH, seed=5)
    assert len({tuple(sorted(c.items())) for c in counts}) == 3, counts


def test_primitive_calls_draw_fresh_shots_and_repeat_under_the_seed(tmp_path: Path) -> None:
    first = _run(tmp_path / "a", PRIMITIVES, seed=9)
    for name, values in first.items():
        distinct = {repr(value) for value in values}
        assert len(distinct) == 3, (name, values)
    assert _run(tmp_path / "b", PRIMITIVES, seed=9) == first


def test_two_hundred_coin_calls_are_fair_at_one_percent(tmp_path: Path) -> None:
    """Each call is 10 shots of a fair coin; if calls repeated each other the 200 results
    would be 200 copies of one, which fails this test with certainty."""
    results = _run(tmp_path, BACKEND_RUN, params={"calls": 200, "shots": 10}, seed=11)
    ones = [counts.get("1", 0) for counts in results]
    heads = sum(ones)
    assert chisquare([heads, 2000 - heads]).pvalue > 0.01
    # the number of ones per call follows Binomial(10, 1/2): compare its histogram
    from scipy.stats import binom

    observed = [sum(1 for k in ones if k <= 2), *(ones.count(k) for k in range(3, 8))]
    observed.append(sum(1 for k in ones if k >= 8))
    expected = [binom.cdf(2, 10, 0.5), *(binom.pmf(k, 10, 0.5) for k in range(3, 8))]
    expected.append(binom.sf(7, 10, 0.5))
    assert chisquare(observed, [200 * p for p in expected]).pvalue > 0.01


def test_a_program_given_seed_is_kept(tmp_path: Path) -> None:
    source = (
        COIN
        + """
def main(backend, user_messenger):
    circuit = transpile(coin(), backend)
    return [backend.run(circuit, shots=1000, seed_simulator=42).result().get_counts()
            for _ in range(2)]
"""
    )
    first, second = _run(tmp_path, source, seed=1)
    assert first == second


def test_the_stream_is_a_pure_function_of_the_seed_and_the_call() -> None:
    one, two = SeedStream(3), SeedStream(3)
    drawn = [one.next() for _ in range(50)]
    assert drawn == [two.next() for _ in range(50)]
    assert len(set(drawn)) == 50 and all(0 <= seed < 2**31 for seed in drawn)
    assert [SeedStream(4).next() for _ in range(1)] != drawn[:1]
    assert one.drawn == 50
