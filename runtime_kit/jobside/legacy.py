"""The legacy import paths of the program API, served in a program's environment where
nothing installed provides them: ``qiskit.providers.ibmq.runtime`` and the others that
``runtime_kit.harness.legacy_modules`` serves as stand-ins for the default environment (a test
keeps the two tables in step).  A real installed module always wins: with
qiskit-ibmq-provider in the environment, the program imports the provider's own classes.

One exception: ``qiskit_serverless`` is always this package's ``serverless`` (a function's
job API), installed or not: the real one would reach for a gateway over the network."""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
import types
from typing import Any

_API = "runtime_kit_jobside.program_api"
#: Served even where an installed package has the name: module -> the module it is.
OVER_INSTALLED = {"qiskit_serverless": "runtime_kit_jobside.serverless"}
#: legacy module -> the names it exports (from ``program_api``)
STAND_INS: dict[str, tuple[str, ...]] = {
    "qiskit.providers.ibmq": ("RunnerResult",),
    "qiskit.providers.ibmq.runtime": (
        "UserMessenger",
        "ProgramBackend",
        "RuntimeEncoder",
        "RuntimeDecoder",
        "ResultDecoder",
        "ParameterNamespace",
    ),
    "qiskit.providers.ibmq.runtime.utils": ("RuntimeEncoder", "RuntimeDecoder"),
    "qiskit.providers.ibmq.runtime.program": ("UserMessenger", "ProgramBackend"),
    "qiskit.providers.ibmq.runtime.program.user_messenger": ("UserMessenger",),
    "qiskit.providers.ibmq.runtime.program.program_backend": ("ProgramBackend",),
    "qiskit_ibm_runtime": (),
    "qiskit_ibm_runtime.program": ("UserMessenger", "ProgramBackend", "ResultDecoder"),
    "qiskit_ibm_runtime.utils": ("RuntimeEncoder", "RuntimeDecoder"),
    "qiskit_ibm_runtime.utils.json": ("RuntimeEncoder", "RuntimeDecoder"),
}


class LegacyFinder(importlib.abc.MetaPathFinder):
    """First on ``sys.meta_path``: answers for the legacy paths nothing else provides."""

    class Loader(importlib.abc.Loader):
        def __init__(self, exports: tuple[str, ...]) -> None:
            self.exports = exports

        def create_module(self, spec: importlib.machinery.ModuleSpec) -> None:
            return None

        def exec_module(self, module: types.ModuleType) -> None:
            api = importlib.import_module(_API)
            module.__doc__ = f"runtime-kit's stand-in for the legacy {module.__name__}"
            module.__runtime_kit_legacy__ = True  # type: ignore[attr-defined]
            for name in self.exports:
                setattr(module, name, getattr(api, name))

    def find_spec(
        self, name: str, path: Any = None, target: types.ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        served = OVER_INSTALLED.get(name)
        if served is not None:
            return importlib.machinery.ModuleSpec(name, _Alias(served), is_package=True)
        exports = STAND_INS.get(name)
        if exports is None or not self._may_serve(name, path):
            return None
        return importlib.machinery.ModuleSpec(name, self.Loader(exports), is_package=True)

    def _may_serve(self, name: str, path: Any) -> bool:
        parent = name.rpartition(".")[0]
        if getattr(sys.modules.get(parent), "__runtime_kit_legacy__", False):
            return True
        for finder in sys.meta_path:
            find = getattr(finder, "find_spec", None)
            if finder is self or find is None:
                continue
            if find(name, path) is not None:
                return False
        return True


class _Alias(importlib.abc.Loader):
    """Loads a name as another module: the import system returns what is in
    ``sys.modules`` after ``exec_module``."""

    def __init__(self, target: str) -> None:
        self.target = target

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> None:
        return None

    def exec_module(self, module: types.ModuleType) -> None:
        sys.modules[module.__name__] = importlib.import_module(self.target)


def install() -> None:
    if not any(isinstance(finder, LegacyFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, LegacyFinder())
