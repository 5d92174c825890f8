"""An IBM Quantum account, opened where the credentials are (never in a job).

Opening it imports qiskit-ibm-runtime (~1.1 s) and, for the real channels, reaches IBM
Quantum over the network to list the account's devices; ``local`` uses qiskit-ibm-runtime's
local testing mode (its fake devices).  The account describes each device (configuration
and calibration documents, as IBM's API serves them) and runs circuits on it with the
installed qiskit-ibm-runtime's Sampler: the executor-based ``Sampler`` where the library
has one, ``SamplerV2`` before; always as a legacy ``backend.run`` did: no twirling, no
dynamical decoupling, the shots asked for.
"""

from __future__ import annotations

import datetime
import json
import threading
from typing import Any

from runtime_kit.backends.ibm_quantum.credentials import Credentials
from runtime_kit.errors import ConfigurationError


class IBMQuantumAccount:
    """An opened account (``open_account``)."""

    def __init__(self, credentials: Credentials, service: Any, devices: dict[str, Any]) -> None:
        self.credentials = credentials
        self.channel = credentials.channel
        self._service = service
        self._devices = devices
        self._documents: dict[str, tuple[dict[str, Any], dict[str, Any] | None]] = {}
        self._lock = threading.Lock()

    @property
    def device_names(self) -> list[str]:
        return list(self._devices)

    def device(self, name: str) -> Any:
        """qiskit-ibm-runtime's backend object of the device ``name``.

        Raises:
            KeyError: the account has no such device.
        """
        return self._devices[name]

    def documents(self, name: str) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """The device's configuration and properties documents (JSON-ready), kept once read."""
        with self._lock:
            found = self._documents.get(name)
        if found is not None:
            return found
        device = self.device(name)
        configuration = _jsonable(device.configuration().to_dict())
        properties = device.properties()
        documents = (configuration, None if properties is None else _jsonable(properties.to_dict()))
        with self._lock:
            return self._documents.setdefault(name, documents)

    def open_batch(self, name: str) -> Any:
        from qiskit_ibm_runtime import Batch

        return Batch(backend=self.device(name))

    def open_session(self, name: str) -> Any:
        from qiskit_ibm_runtime import Session

        return Session(backend=self.device(name))

    def run(self, mode: Any, circuits: list[Any], *, shots: int, seed: int | None) -> Any:
        """Run ``circuits`` (ISA circuits of the mode's device) in ``mode`` (a Batch or a
        Session); returns qiskit-ibm-runtime's job.  ``seed`` seeds the local mode's
        simulator (hardware takes none)."""
        sampler = _sampler_class()(mode=mode)
        options = sampler.options
        options.default_shots = shots
        options.twirling.enable_gates = False
        options.twirling.enable_measure = False
        options.dynamical_decoupling.enable = False
        if self.credentials.local and seed is not None:
            options.simulator.seed_simulator = seed
        return sampler.run(circuits, shots=shots)


def open_account(credentials: Credentials) -> IBMQuantumAccount:
    """Open the account of ``credentials`` and list its devices.

    Raises:
        ConfigurationError: qiskit-ibm-runtime refused the credentials, or IBM Quantum
            cannot be reached.
    """
    try:
        service = _service(credentials)
        devices = {device.name: device for device in service.backends()}
    except Exception as exc:  # whatever the library raises: credentials, network, API
        raise ConfigurationError(
            f"IBM Quantum ({credentials.channel}, credentials from {credentials.source}): "
            f"cannot open the account: {type(exc).__name__}: {exc}"
        ) from exc
    return IBMQuantumAccount(credentials, service, devices)


def _service(credentials: Credentials) -> Any:
    if credentials.local:
        from qiskit_ibm_runtime.fake_provider.local_service import QiskitRuntimeLocalService

        return _QuietLocalService(QiskitRuntimeLocalService())
    from qiskit_ibm_runtime import QiskitRuntimeService

    options: dict[str, Any] = {"channel": credentials.channel, "token": credentials.token}
    if credentials.instance:
        options["instance"] = credentials.instance
    if credentials.url:
        options["url"] = credentials.url
    return QiskitRuntimeService(**options)


class _QuietLocalService:
    """The local testing mode's service, listing its fake devices without the warning one
    of them gives about its own made-up calibration (fake_nighthawk)."""

    def __init__(self, service: Any) -> None:
        self._service = service

    def backends(self) -> list[Any]:
        import warnings

        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Properties of fake_", category=UserWarning)
            devices: list[Any] = self._service.backends()
        return devices


def _sampler_class() -> Any:
    try:
        from qiskit_ibm_runtime.executor_sampler import Sampler
    except ImportError:  # qiskit-ibm-runtime before the executor-based primitives
        from qiskit_ibm_runtime import SamplerV2 as Sampler
    return Sampler


def _jsonable(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` as JSON has it: dates as ISO text, complex numbers as [re, im]."""

    def plain(value: Any) -> Any:
        if isinstance(value, datetime.datetime | datetime.date):
            return value.isoformat()
        if isinstance(value, complex):
            return [value.real, value.imag]
        if hasattr(value, "tolist"):  # numpy values
            return value.tolist()
        raise TypeError(f"{type(value).__name__} is not JSON")

    loaded: dict[str, Any] = json.loads(json.dumps(document, default=plain))
    return loaded
