"""The built-in ``estimator`` program: the hosted Estimator primitive (V2), on the job's backend.

It takes what qiskit-ibm-runtime's ``EstimatorV2.run`` submits, ``{"pubs": [...], "options":
{...}, "version": 2, "support_qiskit": true}`` (and ``"resilience_level"`` when set),
estimates the pubs with qiskit's ``BackendEstimatorV2`` and returns a ``PrimitiveResult`` of
``EstimatorPubResult``, as the hosted estimator does.  Each pub is ``[circuit, observables]``,
optionally followed by parameter values and a precision; circuits must be ones the backend
runs (ISA circuits) and observables laid out for them, as on the hosted service.
"""

import sys

from qiskit.primitives import BackendEstimatorV2, PrimitiveResult
from qiskit.primitives.containers.estimator_pub import EstimatorPub

from runtime_kit.primitives import EstimatorPubResult
from runtime_kit.primitives.program_inputs import estimator_settings


def main(
    backend,
    user_messenger,
    pubs,
    options=None,
    version=2,
    support_qiskit=True,
    resilience_level=None,
):
    """Estimate ``pubs``; return the ``PrimitiveResult`` of ``EstimatorPubResult``."""
    settings = estimator_settings(options, version, resilience_level)
    settings.report(sys.stderr)
    precision = settings.options["default_precision"]
    coerced = [
        EstimatorPub.coerce(tuple(pub) if isinstance(pub, list) else pub, precision) for pub in pubs
    ]
    result = BackendEstimatorV2(backend=backend, options=settings.options).run(coerced).result()
    pub_results = [EstimatorPubResult(pub.data, pub.metadata) for pub in result]
    return PrimitiveResult(pub_results, result.metadata)
