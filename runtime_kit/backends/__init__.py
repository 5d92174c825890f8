"""Backends: where a program's circuits run, from pluggable providers.

::

    provider.py      BackendProvider (the interface), BackendInfo, BackendSpec
    registry.py      providers by name (built in, or plug-ins by entry point), Backends
    simulators.py    the built-in ``simulators`` (aer_simulator, basic_simulator, generic-N,
                     noisy-N); simulator_documents.py their configuration/properties
    snapshots/       the built-in ``snapshots``: IBM's devices, by name, with their noise
    summary.py       what ``runtime-kit backends list|show`` says of them

A backend's name is resolved without qiskit (``registry.Backends.resolve``); the backend is
built in the job's process (``runtime_kit.harness.backends.build_backend``).
"""
