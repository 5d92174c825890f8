"""The built-in provider ``ibm-quantum``: the devices of an IBM Quantum Platform account, for
programs that call ``backend.run`` (removed from qiskit-ibm-runtime in 0.35) or primitives.

::

    credentials.py  the operator's token, instance and channel: from a file or the
                    environment, then gone from it; never stored, never seen by a job
    account.py      the account, opened in the process that owns the credentials (the
                    service, or ``runtime-kit run``): its devices, their documents, and
                    the Sampler runs (in a Batch, or a Session)
    broker.py       the narrow broker that serves jobs' requests for those devices
    backend.py      the job's side: a BackendV2 whose ``run`` transpiles to ISA and asks
                    the broker to run the Sampler, then returns a legacy ``Result``
    results.py      Sampler bit arrays -> counts, memory and headers as Aer gives them
    provider.py     the provider: naming on the account, building on the broker

The channel ``local`` is qiskit-ibm-runtime's local testing mode: its fake devices run
through the library's own Sampler, Batch and Session code, without a network or a token.
"""
