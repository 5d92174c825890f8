"""``EstimatorPubResult``: the estimator pub result the hosted service returns."""

from __future__ import annotations

from qiskit.primitives.containers import PubResult


class EstimatorPubResult(PubResult):
    """A ``PubResult`` of an estimator, as qiskit-ibm-runtime names it on the wire.

    Same data and metadata as its parent; the hosted estimator returns it (its zero-noise
    extrapolation data included), so ``RuntimeDecoder`` rebuilds it under this name.
    """
