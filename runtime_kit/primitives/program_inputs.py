"""What the V2 primitives send a program, mapped onto qiskit's backend primitives.

qiskit-ibm-runtime's ``SamplerV2``/``EstimatorV2`` submit ``{"pubs": [...], "options": {...},
"version": 2, "support_qiskit": true}`` (plus ``"resilience_level"`` for an estimator that
sets one).  The built-in ``sampler`` and ``estimator`` programs run those pubs with
``BackendSamplerV2``/``BackendEstimatorV2`` on the job's backend; here their options become
those primitives' options.  Options a simulator has no use for (twirling, dynamical
decoupling, resilience...) are listed in ``not_applied``, for the job's logs: reported, not
silently dropped.  Options that ask for what a simulator cannot give are an error.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TextIO

#: The hosted primitives' defaults.
DEFAULT_SHOTS = 4096
DEFAULT_PRECISION = 0.015625

#: Options whose value is what a simulator does anyway.
_SIMULATOR_DEFAULTS = {"execution.meas_type": "classified", "execution.init_qubits": True}


class PrimitiveInputError(ValueError):
    """Primitive inputs a backend primitive cannot run (a program error: the job fails)."""


@dataclass(frozen=True)
class PrimitiveSettings:
    """``options`` for ``BackendSamplerV2``/``BackendEstimatorV2``, and the options given
    that were not applied (dotted names, e.g. ``twirling.enable_gates``)."""

    options: dict[str, Any]
    not_applied: tuple[str, ...] = ()

    def report(self, stream: TextIO) -> None:
        """Write the options not applied to ``stream`` (the job's logs), if any."""
        if self.not_applied:
            names = ", ".join(self.not_applied)
            print(f"options not applied on a simulator backend: {names}", file=stream)


def sampler_settings(options: Mapping[str, Any] | None, version: Any) -> PrimitiveSettings:
    """``BackendSamplerV2`` options from a ``SamplerV2`` job's ``options`` and ``version``.

    Raises:
        PrimitiveInputError: another inputs version, or an option a simulator cannot honour.
    """
    given = _flat(options, version)
    shots = given.pop("default_shots", DEFAULT_SHOTS)
    settings = {
        "default_shots": shots,
        "seed_simulator": given.pop("simulator.seed_simulator", None),
    }
    return PrimitiveSettings(settings, _not_applied(given))


def estimator_settings(
    options: Mapping[str, Any] | None, version: Any, resilience_level: Any = None
) -> PrimitiveSettings:
    """``BackendEstimatorV2`` options from an ``EstimatorV2`` job's inputs.

    ``default_shots``, when given, sets the precision to 1/sqrt(shots), as on the hosted
    estimator; ``seed_estimator`` seeds the sampling unless ``simulator.seed_simulator`` does.

    Raises:
        PrimitiveInputError: another inputs version, or an option a simulator cannot honour.
    """
    given = _flat(options, version)
    precision = given.pop("default_precision", DEFAULT_PRECISION)
    shots = given.pop("default_shots", None)
    if shots is not None:
        precision = 1 / math.sqrt(shots)
    seed = given.pop("simulator.seed_simulator", None)
    estimator_seed = given.pop("seed_estimator", None)
    if resilience_level is not None:
        given["resilience_level"] = resilience_level
    settings = {
        "default_precision": precision,
        "seed_simulator": estimator_seed if seed is None else seed,
    }
    return PrimitiveSettings(settings, _not_applied(given))


def _flat(options: Mapping[str, Any] | None, version: Any) -> dict[str, Any]:
    if version != 2:
        raise PrimitiveInputError(f"inputs version {version!r}: this program takes 2")
    if options is not None and not isinstance(options, Mapping):
        raise PrimitiveInputError(f"options must be an object, not {type(options).__name__}")
    flat: dict[str, Any] = {}
    _flatten(options or {}, "", flat)
    for name, wanted in _SIMULATOR_DEFAULTS.items():
        if name in flat and flat.pop(name) != wanted:
            raise PrimitiveInputError(f"option {name}: a simulator only gives {wanted!r}")
    return flat


def _flatten(options: Mapping[str, Any], prefix: str, into: dict[str, Any]) -> None:
    for key, value in options.items():
        if isinstance(value, Mapping):  # an empty one sets nothing
            _flatten(value, f"{prefix}{key}.", into)
        else:
            into[f"{prefix}{key}"] = value


def _not_applied(remaining: dict[str, Any]) -> tuple[str, ...]:
    return tuple(sorted(name for name, value in remaining.items() if value is not None))
