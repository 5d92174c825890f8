"""The ``optimizer`` input: optimizer objects as they are, IBM's dict form as SPSA or QN-SPSA
(with its serialized learning-rate series), SPSA's history, and what is refused."""

from __future__ import annotations

from itertools import islice

import numpy as np
import pytest
from qiskit.circuit.library import real_amplitudes
from qiskit_algorithms.optimizers import COBYLA, QNSPSA, SPSA

from runtime_kit.algorithms.inputs import ProgramInputError
from runtime_kit.algorithms.optimizers import History, optimizer_from_input, with_fidelity


def test_an_optimizer_object_is_used_as_it_is_and_none_takes_the_default() -> None:
    cobyla = COBYLA(maxiter=3)
    assert optimizer_from_input(cobyla, default=SPSA) is cobyla
    default = optimizer_from_input(None, default=lambda: SPSA(maxiter=300))
    assert isinstance(default, SPSA) and default.maxiter == 300


def test_the_dict_form_builds_spsa_with_its_settings() -> None:
    spsa = optimizer_from_input(
        {"name": "SPSA", "maxiter": 7, "blocking": True, "resamplings": {1: 3}}, default=SPSA
    )
    assert isinstance(spsa, SPSA)
    assert (spsa.maxiter, spsa.blocking, spsa.resamplings) == (7, True, {1: 3})
    assert isinstance(optimizer_from_input({"maxiter": 2}, default=COBYLA), SPSA)  # SPSA unnamed


def test_the_dict_form_builds_qn_spsa_without_blocking_and_gets_its_fidelity_here() -> None:
    qnspsa = optimizer_from_input({"name": "QN-SPSA", "maxiter": 2}, default=SPSA)
    assert isinstance(qnspsa, QNSPSA) and qnspsa.fidelity is None and not qnspsa.blocking
    built = []

    def sampling():
        from qiskit.primitives import StatevectorSampler

        built.append(True)
        return StatevectorSampler(seed=1), None

    ansatz = real_amplitudes(2, reps=1)
    with_fidelity(qnspsa, ansatz, sampling)
    same = np.zeros(ansatz.num_parameters)
    assert float(np.asarray(qnspsa.fidelity(same, same)).ravel()[0]) == pytest.approx(1.0)
    with_fidelity(qnspsa, ansatz, sampling)  # has one now: not built again
    with_fidelity(SPSA(), ansatz, sampling)  # needs none
    assert built == [True]


def test_rates_are_numbers_lists_or_ibms_serialized_series() -> None:
    def rates(value: object) -> list[float]:
        spsa = optimizer_from_input({"learning_rate": value, "perturbation": 0.1}, default=SPSA)
        return list(islice(spsa.learning_rate(), 5))

    assert rates(["Constant", {"value": 0.2}]) == [0.2] * 5
    harmonic = {"coeff": 1.0, "power": 1, "offset": 0}
    assert rates(["Powerlaw", harmonic]) == [1, 1 / 2, 1 / 3, 1 / 4, 1 / 5]
    skipped = {**harmonic, "offset": 1, "skip": 2}
    assert rates(["Powerlaw", skipped])[:2] == [1 / 4, 1 / 5]
    nine, one = ["Constant", {"value": 9.0}], ["Constant", {"value": 1.0}]
    concatenated = ["Concatenated", {"iterators": [nine, one], "breakpoints": [2]}]
    assert rates(concatenated) == [9.0, 9.0, 1.0, 1.0, 1.0]
    spsa = optimizer_from_input(
        {"maxiter": 2, "learning_rate": 0.3, "perturbation": [0.1, 0.2]}, default=SPSA
    )
    assert spsa.learning_rate == 0.3
    np.testing.assert_array_equal(spsa.perturbation, [0.1, 0.2])


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"name": "COBYLA"}, "a dict names SPSA or QN-SPSA, not 'COBYLA'"),
        ({"name": "SPSA", "tol": 1}, "SPSA does not take 'tol'"),
        ({"name": "QN-SPSA", "last_avg": 2}, "QN-SPSA does not take 'last_avg'"),
        ({"learning_rate": ["Exponential", {}]}, "series 'Exponential' is not Constant"),
        ({"learning_rate": ["Powerlaw", {"coeff": 1}]}, "learning_rate .*'power'"),
        ({"perturbation": {"a": 1}}, "perturbation .* is not a rate or a series"),
        ({"maxiter": 3, "learning_rate": [0.1], "perturbation": 0.1}, "smaller than maxiter"),
        ("SPSA", "must be an optimizer .* not str"),
    ],
)
def test_what_is_not_an_optimizer_is_refused_with_its_reason(value: object, message: str) -> None:
    with pytest.raises(ProgramInputError, match=message):
        optimizer_from_input(value, default=SPSA)


def test_spsa_reports_each_iteration_to_the_history_and_to_its_own_callback() -> None:
    seen = []
    spsa = SPSA(maxiter=3, learning_rate=0.1, perturbation=0.1, callback=lambda *a: seen.append(a))
    history = History()
    history.attach(spsa)
    spsa.minimize(lambda x: float(np.sum(x**2)), np.array([1.0, -1.0]))
    recorded = history.as_result()
    assert recorded is not None and len(recorded["loss"]) == 3 == len(seen)
    assert recorded["time"] == sorted(recorded["time"])
    assert [list(p) for p in recorded["params"]] == [list(call[1]) for call in seen]
    other = History()
    other.attach(COBYLA())
    assert other.as_result() is None  # no iterations reported: IBM's program returned None
