"""The ``optimizer`` input of IBM's VQE and QAOA programs, as a qiskit-algorithms optimizer.

Legacy clients send an optimizer object (``SPSA(maxiter=50)``, ``COBYLA()``...), which
``RuntimeDecoder`` rebuilds as the qiskit-algorithms class of the same name, or, as IBM's
first VQE program and qiskit-nature's ``VQEProgram`` did, a dict naming SPSA or QN-SPSA with
its settings: ``{"name": "SPSA", "maxiter": 100}``.  In the dict form ``learning_rate`` and
``perturbation`` may be a number, a list of numbers, or a serialized power series as IBM's
program read them: ``["Constant", {"value": v}]``, ``["Powerlaw", {"coeff", "power",
"offset", "skip"}]`` or ``["Concatenated", {"iterators": [...], "breakpoints": [...]}]``.

QN-SPSA needs a fidelity function, which cannot travel: it is built here from the ansatz
(``QNSPSA.get_fidelity``) when the optimizer arrives without one.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from itertools import count
from typing import Any

import numpy as np
from qiskit import QuantumCircuit
from qiskit_algorithms.optimizers import QNSPSA, SPSA, Optimizer

from runtime_kit.algorithms.inputs import ProgramInputError

#: The settings the dict form may hold besides ``name`` (IBM's VQE program; qiskit-nature).
SPSA_SETTINGS = frozenset(
    {
        "maxiter", "blocking", "allowed_increase", "trust_region", "learning_rate",
        "perturbation", "resamplings", "last_avg", "second_order", "hessian_delay",
        "regularization", "initial_hessian", "perturbation_dims",
    }
)  # fmt: skip
QNSPSA_SETTINGS = SPSA_SETTINGS - {"trust_region", "second_order", "last_avg"}
SeriesFactory = Callable[[], Iterator[float]]


def optimizer_from_input(value: Any, *, default: Callable[[], Optimizer]) -> Optimizer:
    """The optimizer ``value`` stands for (``default()`` when it is ``None``).

    Raises:
        ProgramInputError: neither an optimizer nor a usable dict.
    """
    if value is None:
        return default()
    if isinstance(value, Optimizer):
        return value
    if isinstance(value, dict):
        return _from_dict(dict(value))
    raise ProgramInputError(
        "input 'optimizer' must be an optimizer (qiskit.algorithms.optimizers, as legacy "
        f"clients send them) or a dict naming SPSA or QN-SPSA, not {type(value).__name__}"
    )


def seed_from_numpy() -> None:
    """Seed qiskit-algorithms' generator (SPSA's perturbations) from numpy's global one, which
    the harness seeds with the job's seed: a run then repeats."""
    from qiskit_algorithms.utils import algorithm_globals

    algorithm_globals.random_seed = int(np.random.randint(2**31))


def with_fidelity(
    optimizer: Optimizer, ansatz: QuantumCircuit, sampling: Callable[[], tuple[Any, Any]]
) -> Optimizer:
    """``optimizer``, given the fidelity of ``ansatz`` states when it is a QN-SPSA without
    one; ``sampling()`` gives a V2 sampler and the pass manager that compiles for it."""
    if isinstance(optimizer, QNSPSA) and optimizer.fidelity is None:
        sampler, transpiler = sampling()
        optimizer.fidelity = QNSPSA.get_fidelity(ansatz, sampler, transpiler=transpiler)
    return optimizer


class History:
    """What SPSA and QN-SPSA report at each iteration, as IBM's VQE returned it:
    ``{"loss": [...], "params": [...], "time": [...]}`` (``time`` in seconds since the epoch).

    ``attach`` makes it the optimizer's callback (calling the optimizer's own one too);
    other optimizers report no iterations, and their history is ``None``.
    """

    def __init__(self) -> None:
        self.loss: list[float] = []
        self.params: list[np.ndarray] = []
        self.time: list[float] = []
        self._attached = False

    def attach(self, optimizer: Optimizer) -> None:
        if not isinstance(optimizer, SPSA | QNSPSA):
            return
        own = optimizer.callback

        def record(nfev: int, x: np.ndarray, fx: float, step: float, accepted: bool) -> None:
            self.loss.append(float(fx))
            self.params.append(np.asarray(x, dtype=float))
            self.time.append(time.time())
            if own is not None:
                own(nfev, x, fx, step, accepted)

        optimizer.callback = record
        self._attached = True

    def as_result(self) -> dict[str, list[Any]] | None:
        if not self._attached:
            return None
        return {"loss": self.loss, "params": self.params, "time": self.time}


def _from_dict(settings: dict[str, Any]) -> Optimizer:
    name = settings.pop("name", "SPSA")
    allowed = {"SPSA": SPSA_SETTINGS, "QN-SPSA": QNSPSA_SETTINGS}.get(name)
    if allowed is None:
        raise ProgramInputError(
            f"input 'optimizer': a dict names SPSA or QN-SPSA, not {name!r} (send any other "
            "optimizer as an optimizer object)"
        )
    unknown = sorted(set(settings) - allowed)
    if unknown:
        raise ProgramInputError(
            f"input 'optimizer': {name} does not take {', '.join(map(repr, unknown))}"
        )
    for key in ("learning_rate", "perturbation"):
        if key in settings:
            settings[key] = _rate(settings[key], key)
    try:
        if name == "SPSA":
            return SPSA(**settings)
        # IBM's program ran QN-SPSA without blocking unless asked; the fidelity comes later.
        return QNSPSA(fidelity=None, **{"blocking": False, **settings})
    except (TypeError, ValueError) as exc:
        raise ProgramInputError(f"input 'optimizer': {exc}") from exc


def _rate(value: Any, key: str) -> Any:
    if value is None or isinstance(value, int | float):
        return value
    if isinstance(value, np.ndarray):
        return value
    if isinstance(value, list | tuple) and len(value) == 2 and isinstance(value[0], str):
        return _series(value, key)
    if isinstance(value, list | tuple) and all(isinstance(v, int | float) for v in value):
        return np.asarray(value, dtype=float)
    raise ProgramInputError(f"input 'optimizer': {key} {value!r:.80} is not a rate or a series")


def _series(serialized: Any, key: str) -> SeriesFactory:
    """A serialized power series as a factory of iterators (what SPSA calls for rates)."""
    try:
        kind, arguments = serialized
        if kind == "Constant":
            value = float(arguments["value"])
            return lambda: _constant(value)
        if kind == "Powerlaw":
            coeff, power = float(arguments["coeff"]), float(arguments["power"])
            offset, skip = float(arguments["offset"]), int(arguments.get("skip", 0))
            return lambda: _powerlaw(coeff, power, offset, skip)
        if kind == "Concatenated":
            parts = [_series(part, key) for part in arguments["iterators"]]
            breakpoints = [int(b) for b in arguments["breakpoints"]]
            return lambda: _concatenated(parts, breakpoints)
    except (KeyError, TypeError, ValueError) as exc:
        raise ProgramInputError(f"input 'optimizer': {key} {serialized!r:.80}: {exc}") from exc
    raise ProgramInputError(
        f"input 'optimizer': {key} series {kind!r} is not Constant, Powerlaw or Concatenated"
    )


def _constant(value: float) -> Iterator[float]:
    while True:
        yield value


def _powerlaw(coeff: float, power: float, offset: float, skip: int) -> Iterator[float]:
    for n in count(skip + 1):
        yield coeff / (n + offset) ** power


def _concatenated(parts: list[SeriesFactory], breakpoints: list[int]) -> Iterator[float]:
    """The first part's values up to the first breakpoint (a count of values), then the
    next part's, and so on; the last part runs on."""
    iterators = [part() for part in parts]
    current = 0
    for n in count():
        while current < len(breakpoints) and n >= breakpoints[current]:
            current += 1
        yield next(iterators[min(current, len(iterators) - 1)])
