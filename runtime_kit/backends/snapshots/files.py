"""The snapshot files (``conf_<device>.json``, ``props_<device>.json``) of the installed
qiskit-ibm-runtime, found and read without importing it (its import costs ~1.1 s).

Each file is read and parsed once per process and kept: a forked job process finds them
ready (``runtime_kit.backends.snapshots.prepare``).
"""

from __future__ import annotations

import functools
import importlib.util
import json
from pathlib import Path
from typing import Any

from runtime_kit.backends.snapshots.snapshot import Snapshot
from runtime_kit.errors import ConfigurationError

PACKAGE = "qiskit_ibm_runtime"
INSTALL_HINT = "pip install qiskit-ibm-runtime"


@functools.cache
def snapshot_root() -> Path:
    """``fake_provider/backends`` of the installed qiskit-ibm-runtime.

    Raises:
        ConfigurationError: qiskit-ibm-runtime is not installed.
    """
    spec = importlib.util.find_spec(PACKAGE)  # finds, does not import, a top-level package
    if spec is None or not spec.submodule_search_locations:
        raise ConfigurationError(
            f"the device snapshots come with qiskit-ibm-runtime, which is not installed "
            f"({INSTALL_HINT})"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "fake_provider" / "backends"


def configuration_of(snapshot: Snapshot) -> dict[str, Any]:
    """The device's configuration document, as IBM served it (shared: do not change it)."""
    return _document(snapshot, "conf")


def properties_of(snapshot: Snapshot) -> dict[str, Any]:
    """The device's calibration properties document (shared: do not change it)."""
    return _document(snapshot, "props")


@functools.cache
def _document(snapshot: Snapshot, kind: str) -> dict[str, Any]:
    path = snapshot_root() / snapshot.directory / f"{kind}_{snapshot.directory}.json"
    try:
        document = json.loads(path.read_bytes())
    except FileNotFoundError as exc:
        raise ConfigurationError(
            f"the snapshot of {snapshot.name} is not in the installed qiskit-ibm-runtime "
            f"(no {path})"
        ) from exc
    except (OSError, ValueError) as exc:
        raise ConfigurationError(f"cannot read the snapshot {path}: {exc}") from exc
    if not isinstance(document, dict):
        raise ConfigurationError(f"cannot read the snapshot {path}: not a JSON object")
    return document
