"""Legacy import paths that runtime-kit serves: one table for the harness (and so the
service's workers), the pytest plugin, ``validate`` and ``migrate --source``.

Programs written for IBM's service import ``UserMessenger``, ``ProgramBackend`` and the codec
from qiskit-ibmq-provider or qiskit-ibm-runtime, and use qiskit names removed since.  Served:

- ``StandIn``: a legacy module made of runtime-kit's names (the program API);
- ``Moved``: a package that left qiskit; the legacy path and everything under it *are* the
  successor's modules (the same objects, imported when first used);
- ``RemovedName``: a name removed from a qiskit module that still exists.

And one that is not legacy: ``qiskit_serverless``, the job API of a Qiskit Function
(``runtime_kit.jobside.serverless``), served whether or not qiskit-serverless is installed.

Nothing is faked: a legacy path without a faithful successor (``qiskit.opflow``,
``qiskit.ignis``) is not served, and ``validate`` reports it with its advice.  The one stub is
``qiskit.compiler.schedule``, which raises when called (see ``legacy_qiskit``).  A real
installed module always wins: a path is served only where nothing else provides it.

Reading this table imports nothing (``validate`` reads it on every commit: no dataclasses, no
``importlib.abc``); ``install_legacy_modules`` imports qiskit (when installed) and nothing
else until a legacy path is used.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import types
from collections.abc import Callable
from typing import Any, NamedTuple


class StandIn(NamedTuple):
    """Legacy ``module``, made of ``exports`` of ``source``; a package for its children."""

    module: str
    exports: tuple[str, ...] = ()
    source: str = "runtime_kit"
    #: where ``migrate --source`` imports the exports from (None: no import to write)
    modern: str | None = "runtime_kit"
    #: served even where an installed package has the name (``qiskit_serverless``: the real
    #: one reaches for its gateway over the network, which a job does not have)
    over_installed: bool = False


class Moved(NamedTuple):
    """Legacy ``module`` (a package) that moved out of qiskit into ``successor``."""

    module: str
    successor: str
    #: what to install when the successor is missing
    install: str
    #: names whose API the successor changed, and how (validate warns about their imports)
    changed_names: tuple[str, ...] = ()
    api_change: str = ""


class RemovedName(NamedTuple):
    """``module.name``, removed from a module that still exists, served from ``source``."""

    module: str
    name: str
    source: str
    #: where ``migrate --source`` imports the name from (None: no import to write)
    modern: str | None
    #: the module the served name needs, when it is not ``source`` itself
    requires: str | None = None

    @property
    def path(self) -> str:
        return f"{self.module}.{self.name}"

    @property
    def successor(self) -> str:
        """The module that must be installed for the name to be served."""
        return self.requires or self.source


_LEGACY_QISKIT = "runtime_kit.harness.legacy_qiskit"
#: What a Qiskit Function's script may import from ``qiskit_serverless`` inside its job
#: (``runtime_kit.jobside.serverless.__all__``; a test keeps the two in step).
SERVERLESS_EXPORTS = (
    "Job", "QiskitServerlessException", "get_arguments", "get_compute_profile",
    "get_function_size", "get_logger", "get_provider_logger", "get_runtime_service",
    "is_running_in_serverless", "is_trial", "save_result", "send_error", "update_status",
)  # fmt: skip
#: What took a QuantumInstance (or a backend) in qiskit.algorithms, before qiskit-algorithms 0.3.
_QUANTUM_INSTANCE_ALGORITHMS = (
    "VQE", "VQD", "QAOA", "Grover", "AmplitudeEstimation", "IterativeAmplitudeEstimation",
    "MaximumLikelihoodAmplitudeEstimation", "FasterAmplitudeEstimation", "PhaseEstimation",
    "IterativePhaseEstimation", "HamiltonianPhaseEstimation",
)  # fmt: skip

LEGACY: tuple[StandIn | Moved | RemovedName, ...] = (
    StandIn("qiskit.providers.ibmq", ("RunnerResult",)),
    StandIn(
        "qiskit.providers.ibmq.runtime",
        (
            "UserMessenger",
            "ProgramBackend",
            "RuntimeEncoder",
            "RuntimeDecoder",
            "ResultDecoder",
            "ParameterNamespace",
        ),
    ),
    StandIn("qiskit.providers.ibmq.runtime.utils", ("RuntimeEncoder", "RuntimeDecoder")),
    StandIn("qiskit.providers.ibmq.runtime.program", ("UserMessenger", "ProgramBackend")),
    StandIn("qiskit.providers.ibmq.runtime.program.user_messenger", ("UserMessenger",)),
    StandIn("qiskit.providers.ibmq.runtime.program.program_backend", ("ProgramBackend",)),
    StandIn("qiskit_ibm_runtime"),
    StandIn("qiskit_ibm_runtime.program", ("UserMessenger", "ProgramBackend", "ResultDecoder")),
    StandIn("qiskit_ibm_runtime.utils", ("RuntimeEncoder", "RuntimeDecoder")),
    StandIn("qiskit_ibm_runtime.utils.json", ("RuntimeEncoder", "RuntimeDecoder")),
    StandIn("qiskit.execute_function", ("execute",), source=_LEGACY_QISKIT, modern=None),
    StandIn(
        "qiskit_serverless",
        SERVERLESS_EXPORTS,
        source="runtime_kit.jobside.serverless",
        modern=None,
        over_installed=True,
    ),
    Moved("qiskit.providers.aer", "qiskit_aer", install="qiskit-aer"),
    Moved(
        "qiskit.algorithms",
        "qiskit_algorithms",
        install="qiskit-algorithms",
        changed_names=_QUANTUM_INSTANCE_ALGORITHMS,
        api_change="qiskit-algorithms >= 0.3 runs on primitives, with no QuantumInstance "
        "(VQE takes an Estimator, QAOA a Sampler; see docs/legacy.md), or give the program the "
        "Qiskit it was written for (requirements.txt)",
    ),
    RemovedName("qiskit", "Aer", "qiskit_aer", modern="qiskit_aer"),
    RemovedName("qiskit", "execute", _LEGACY_QISKIT, modern=None),
    RemovedName("qiskit.compiler", "schedule", _LEGACY_QISKIT, modern=None),
    RemovedName(
        "qiskit.utils",
        "algorithm_globals",
        _LEGACY_QISKIT,
        modern="qiskit_algorithms.utils",
        requires="qiskit_algorithms.utils",
    ),
)

STAND_INS = {entry.module: entry for entry in LEGACY if isinstance(entry, StandIn)}
MOVED = {entry.module: entry for entry in LEGACY if isinstance(entry, Moved)}
REMOVED_NAMES = {entry.path: entry for entry in LEGACY if isinstance(entry, RemovedName)}


def installed(package: str) -> bool:
    """Whether the top-level package of dotted ``package`` can be imported (imports nothing)."""
    top = package.split(".", maxsplit=1)[0]
    if top in sys.modules:
        return True
    try:
        return importlib.util.find_spec(top) is not None
    except (ImportError, ValueError):
        return False


def served_paths() -> list[str]:
    """The legacy paths served in this environment, as the pytest header lists them."""
    paths = []
    for entry in LEGACY:
        if isinstance(entry, StandIn) and entry.exports:
            paths.append(entry.module)
        elif isinstance(entry, Moved) and installed(entry.successor):
            paths.append(f"{entry.module} -> {entry.successor}")
        elif isinstance(entry, RemovedName) and installed(entry.successor):
            paths.append(entry.path)
    return paths


def install_legacy_modules() -> list[str]:
    """Serve the legacy paths in this process (idempotent); returns ``served_paths()``.

    Imports qiskit when it is installed (its removed names are attributes of its modules);
    everything else is imported when a legacy path is first used.
    """
    if not any(isinstance(finder, LegacyFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, LegacyFinder())
    by_module: dict[str, list[RemovedName]] = {}
    for entry in REMOVED_NAMES.values():
        if installed(entry.module) and installed(entry.successor):
            by_module.setdefault(entry.module, []).append(entry)
    for module_name, entries in by_module.items():
        _serve_names(importlib.import_module(module_name), entries)
    return served_paths()


class LegacyFinder:
    """First on ``sys.meta_path`` (a ``MetaPathFinder``): answers for legacy paths nothing
    else provides.

    It must come first so that a child of a moved package (``qiskit.providers.aer.noise``)
    is the successor's module, not a second copy loaded from the successor's files.
    """

    def __init__(self) -> None:
        self.aliases: dict[str, str] = {}  # served moved package -> its successor

    def find_spec(
        self, name: str, path: Any = None, target: types.ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        stand_in = STAND_INS.get(name)
        if stand_in is not None:
            if not (stand_in.over_installed or self._may_serve(name, path)):
                return None
            loader = _StandInLoader(stand_in)
            return importlib.machinery.ModuleSpec(name, loader, is_package=True)
        successor = self._successor(name, path)
        if successor is None:
            return None
        return importlib.machinery.ModuleSpec(name, _AliasLoader(successor, self), is_package=True)

    def _may_serve(self, name: str, path: Any) -> bool:
        """Whether nothing else provides ``name``: below an installed package too, for a
        legacy path it no longer has (``qiskit_ibm_runtime.program`` under today's
        qiskit-ibm-runtime, which runtime-kit's dependencies install)."""
        parent = name.rpartition(".")[0]
        if getattr(sys.modules.get(parent), "__runtime_kit_legacy__", False):
            return True  # below one of ours
        return not self._found_elsewhere(name, path)

    def _successor(self, name: str, path: Any) -> str | None:
        moved = MOVED.get(name)
        if moved is not None:
            if not installed(moved.successor) or self._found_elsewhere(name, path):
                return None
            return moved.successor
        root = next((r for r in self.aliases if name.startswith(r + ".")), None)
        if root is None:
            return None
        target = self.aliases[root] + name[len(root) :]
        return target if importlib.util.find_spec(target) is not None else None

    def _found_elsewhere(self, name: str, path: Any) -> bool:
        for finder in sys.meta_path:
            find: Callable[..., Any] | None = getattr(finder, "find_spec", None)
            if finder is not self and find is not None and find(name, path) is not None:
                return True
        return False


class _StandInLoader(importlib.abc.Loader):
    def __init__(self, entry: StandIn) -> None:
        self.entry = entry

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> None:
        return None

    def exec_module(self, module: types.ModuleType) -> None:
        source = importlib.import_module(self.entry.source)
        module.__doc__ = f"runtime-kit's stand-in for the legacy {module.__name__}"
        module.__runtime_kit_legacy__ = True  # type: ignore[attr-defined]
        for export in self.entry.exports:
            setattr(module, export, getattr(source, export))


class _AliasLoader(importlib.abc.Loader):
    """Loads a legacy path as its successor: the import system returns what is in
    ``sys.modules`` after ``exec_module``, so the successor's module object is the result."""

    def __init__(self, successor: str, finder: LegacyFinder) -> None:
        self.successor = successor
        self.finder = finder

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> None:
        return None

    def exec_module(self, module: types.ModuleType) -> None:
        name = module.__name__
        sys.modules[name] = importlib.import_module(self.successor)
        if name in MOVED:
            self.finder.aliases[name] = self.successor


def _serve_names(module: types.ModuleType, entries: list[RemovedName]) -> None:
    """Give ``module`` a ``__getattr__`` for the removed names it does not have (PEP 562)."""
    sources = {e.name: e.source for e in entries if e.name not in module.__dict__}
    if not sources or getattr(module, "__runtime_kit_legacy_names__", None) == sources:
        return
    previous = module.__dict__.get("__getattr__")

    def __getattr__(name: str) -> Any:
        source = sources.get(name)
        if source is not None:
            return getattr(importlib.import_module(source), name)
        if previous is not None:
            return previous(name)
        raise AttributeError(f"module {module.__name__!r} has no attribute {name!r}")

    module.__getattr__ = __getattr__  # type: ignore[method-assign]
    module.__runtime_kit_legacy_names__ = sources  # type: ignore[attr-defined]
