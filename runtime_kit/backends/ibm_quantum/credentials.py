"""The operator's IBM Quantum credentials: token, instance, channel (and the API's URL).

From a file (``--ibm-quantum-credentials FILE``: TOML, or JSON when it ends in ``.json``)
or, without one, from the environment (``RUNTIME_KIT_IBM_QUANTUM_TOKEN``,
``..._INSTANCE``, ``..._CHANNEL``, ``..._URL``).  The variables are removed from the
environment once read (and from the process's initial environment block), so that no
process started afterwards, a job least of all, inherits them.  Nothing here writes them
anywhere.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runtime_kit.errors import ConfigurationError

#: qiskit-ibm-runtime's channels: IBM Quantum Platform (IBM Cloud), and its local testing
#: mode (fake devices, no network).
CHANNELS = ("ibm_quantum_platform", "ibm_cloud", "local")
DEFAULT_CHANNEL = "ibm_quantum_platform"
ENV_PREFIX = "RUNTIME_KIT_IBM_QUANTUM_"
FIELDS = ("token", "instance", "channel", "url")


@dataclass(frozen=True)
class Credentials:
    channel: str = DEFAULT_CHANNEL
    token: str | None = field(default=None, repr=False)
    instance: str | None = None
    url: str | None = None
    #: where they came from, for messages (never the token itself)
    source: str = ""

    @property
    def local(self) -> bool:
        return self.channel == "local"


def load_credentials(
    path: Path | None, environ: MutableMapping[str, str] | None = None
) -> Credentials:
    """The credentials of ``path``, else of the environment (whose variables are removed).

    Raises:
        ConfigurationError: the file cannot be read, has unknown keys, no token for a
            channel that needs one, or an unknown channel.
    """
    environ = os.environ if environ is None else environ
    taken = take_from_environment(environ)
    if path is not None:
        return _checked(_read(path), str(path))
    return _checked(taken, "the environment (RUNTIME_KIT_IBM_QUANTUM_*)")


def take_from_environment(environ: MutableMapping[str, str]) -> dict[str, str]:
    """The ``RUNTIME_KIT_IBM_QUANTUM_*`` variables that are set, removed from ``environ``."""
    from runtime_kit.service.secrets import wipe_initial_environment

    taken = {}
    for name in FIELDS:
        variable = ENV_PREFIX + name.upper()
        value = environ.pop(variable, None)
        if environ is os.environ:
            wipe_initial_environment(variable)
        if value:
            taken[name] = value
    return taken


def _read(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text()
    except OSError as exc:
        raise ConfigurationError(f"{path}: cannot read the credentials ({exc.strerror})") from exc
    try:
        document = json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        kind = "JSON" if path.suffix == ".json" else "TOML"
        raise ConfigurationError(f"{path}: not valid {kind} ({exc})") from exc
    if not isinstance(document, dict):
        raise ConfigurationError(f"{path}: expected an object of {', '.join(FIELDS)}")
    return document


def _checked(values: Mapping[str, Any], source: str) -> Credentials:
    unknown = sorted(set(values) - set(FIELDS))
    if unknown:
        raise ConfigurationError(
            f"{source}: unknown credential {unknown[0]!r} (expected {', '.join(FIELDS)})"
        )
    for name, value in values.items():
        if not isinstance(value, str):
            raise ConfigurationError(f"{source}: {name} must be a string")
    channel = values.get("channel") or DEFAULT_CHANNEL
    if channel not in CHANNELS:
        raise ConfigurationError(
            f"{source}: unknown channel {channel!r} (expected {', '.join(CHANNELS)})"
        )
    token = values.get("token") or None
    if token is None and channel != "local":
        raise ConfigurationError(
            f"{source}: no IBM Quantum token (--ibm-quantum-credentials FILE with a token, "
            "or RUNTIME_KIT_IBM_QUANTUM_TOKEN; channel local needs none)"
        )
    return Credentials(
        channel=channel,
        token=token,
        instance=values.get("instance") or None,
        url=values.get("url") or None,
        source=source,
    )
