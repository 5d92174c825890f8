"""``IBMQuantumProvider``: an IBM Quantum account's devices as a backend provider.

Where the account is open (the service, ``runtime-kit run``) it lists and describes the
devices; in the job's process, which has no account, it builds ``HardwareBackend``s that
reach the devices through the broker (and describes them from the broker too).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

from runtime_kit.backends.ibm_quantum.account import IBMQuantumAccount, open_account
from runtime_kit.backends.ibm_quantum.broker import HardwareBroker, JobRecorder, Notes
from runtime_kit.backends.ibm_quantum.credentials import Credentials
from runtime_kit.backends.provider import BackendInfo
from runtime_kit.backends.registry import register
from runtime_kit.errors import ConfigurationError

NAME = "ibm-quantum"


class IBMQuantumProvider:
    """Args:
    account: the opened account (None: in a job's process, which reaches it through the
        broker)."""

    name = NAME

    def __init__(self, account: IBMQuantumAccount | None = None) -> None:
        self.account = account

    def backends(self) -> Sequence[BackendInfo]:
        account = self._account()
        return [
            BackendInfo(
                name,
                int(account.documents(name)[0].get("n_qubits") or 0),
                bool(account.documents(name)[0].get("simulator")),
                f"IBM Quantum device of the account ({account.channel})",
            )
            for name in account.device_names
        ]

    def find(self, name: str) -> str | None:
        return name if name in self._account().device_names else None

    def configuration(self, name: str, *, memory_mib: int) -> dict[str, Any]:
        return self._documents(name)[0]

    def properties(self, name: str) -> dict[str, Any] | None:
        return self._documents(name)[1]

    def build(self, name: str, *, seed: int) -> Any:
        from runtime_kit.backends.ibm_quantum.backend import HardwareBackend

        return HardwareBackend(name)

    def prepare(self, names: Collection[str]) -> None:
        """Nothing to do ahead: the device is described when the job asks."""

    def _account(self) -> IBMQuantumAccount:
        if self.account is None:
            raise ConfigurationError(
                "ibm-quantum has no account here: give the service (or runtime-kit run) "
                "IBM Quantum credentials (docs/hardware.md)"
            )
        return self.account

    def _documents(self, name: str) -> tuple[dict[str, Any], dict[str, Any] | None]:
        if self.account is not None:
            return self.account.documents(name)
        from runtime_kit.backends.ibm_quantum.backend import describe

        described = describe(name)
        return described["configuration"], described.get("properties")


def open_ibm_quantum(
    credentials: Credentials, *, on_job: JobRecorder | None = None, on_note: Notes | None = None
) -> HardwareBroker:
    """Open the account of ``credentials``, make ``ibm-quantum`` its provider in this process,
    and return the broker that serves jobs on its devices.

    Raises:
        ConfigurationError: the account cannot be opened (credentials, network).
    """
    account = open_account(credentials)
    register(IBMQuantumProvider(account))
    return HardwareBroker(account, on_job=on_job, on_note=on_note)


def open_if_chosen(
    providers: Collection[str], credentials_path: Path | None, *, on_note: Notes | None = None
) -> HardwareBroker | None:
    """``open_ibm_quantum`` when ``providers`` has ``ibm-quantum`` (credentials from
    ``credentials_path``, else the environment), for ``runtime-kit run`` and ``backends``.

    Raises:
        ConfigurationError: no usable credentials, or the account cannot be opened.
    """
    if NAME not in providers:
        return None
    from runtime_kit.backends.ibm_quantum.credentials import load_credentials

    return open_ibm_quantum(load_credentials(credentials_path), on_note=on_note)
