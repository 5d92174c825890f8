"""The built-in ``sampler`` program: the hosted Sampler primitive (V2), on the job's backend.

It takes what qiskit-ibm-runtime's ``SamplerV2.run`` submits, ``{"pubs": [...], "options":
{...}, "version": 2, "support_qiskit": true}``, samples the pubs with qiskit's
``BackendSamplerV2`` and returns its ``PrimitiveResult``.  Each pub is ``[circuit]``,
``[circuit, parameter values]`` or ``[circuit, parameter values, shots]``; circuits must be
ones the backend runs (ISA circuits), as on the hosted service.
"""

import sys

from qiskit.primitives import BackendSamplerV2
from qiskit.primitives.containers.sampler_pub import SamplerPub

from runtime_kit.primitives.program_inputs import sampler_settings


def main(backend, user_messenger, pubs, options=None, version=2, support_qiskit=True):
    """Sample ``pubs``; return the ``PrimitiveResult``."""
    settings = sampler_settings(options, version)
    settings.report(sys.stderr)
    shots = settings.options["default_shots"]
    coerced = [
        SamplerPub.coerce(tuple(pub) if isinstance(pub, list) else pub, shots) for pub in pubs
    ]
    return BackendSamplerV2(backend=backend, options=settings.options).run(coerced).result()
