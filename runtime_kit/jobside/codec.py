"""The wire codec of a program's environment: the provider's own ``RuntimeEncoder`` and
``RuntimeDecoder`` where the environment has qiskit-ibmq-provider or qiskit-ibm-runtime
installed (what the program was written against), else the portable codec over the
environment's own qiskit and numpy (``portable``).  Chosen once per process."""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any, NamedTuple

#: Where the providers keep their codec, in the order they are preferred.
PROVIDER_CODECS = (
    ("qiskit.providers.ibmq", "qiskit.providers.ibmq.runtime.utils"),
    ("qiskit_ibm_runtime", "qiskit_ibm_runtime.utils.json"),
)


class Codec(NamedTuple):
    encoder: Any
    decoder: Any
    origin: str  # the module the classes come from


_chosen: list[Codec] = []


def codec() -> Codec:
    if not _chosen:
        _chosen.append(_choose())
    return _chosen[0]


def _choose() -> Codec:
    for package, module_name in PROVIDER_CODECS:
        if not _installed(package):
            continue
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        return Codec(module.RuntimeEncoder, module.RuntimeDecoder, module_name)
    from . import portable

    return Codec(portable.RuntimeEncoder, portable.RuntimeDecoder, portable.__name__)


def _installed(dotted: str) -> bool:
    """Whether ``dotted`` is a real installed module (never one of the stand-ins)."""
    from .legacy import LegacyFinder

    try:
        spec = importlib.util.find_spec(dotted.split(".", maxsplit=1)[0])
    except (ImportError, ValueError):
        return False
    if spec is None:
        return False
    try:
        found = importlib.util.find_spec(dotted)
    except (ImportError, ValueError):
        return False
    return found is not None and not isinstance(found.loader, LegacyFinder.Loader)
