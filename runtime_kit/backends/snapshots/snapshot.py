"""``Snapshot``: one IBM device as qiskit-ibm-runtime's ``fake_provider`` recorded it."""

from __future__ import annotations

from typing import NamedTuple


class Snapshot(NamedTuple):
    #: the name IBM gave the device (``ibmq_montreal``, ``ibm_sherbrooke``)
    name: str
    #: its directory under ``qiskit_ibm_runtime/fake_provider/backends``
    directory: str
    num_qubits: int
    #: other names it answers to (the fake backend's ``fake_montreal``)
    aliases: tuple[str, ...] = ()
