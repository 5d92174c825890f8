"""Legacy import paths, served by runtime-kit when the legacy packages are not installed.

Programs written for the IBM service import ``UserMessenger``, ``ProgramBackend`` and the
codec from qiskit-ibmq-provider or qiskit-ibm-runtime.  In the program's process these
modules are registered in ``sys.modules`` (only where the real ones are absent), so such
programs run unchanged.
"""

from __future__ import annotations

import importlib.util
import sys
import types

#: module -> names it provides, each from runtime_kit.
LEGACY_MODULES = {
    "qiskit.providers.ibmq": (),
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


def install_legacy_modules() -> list[str]:
    """Register the legacy modules whose real package is missing; returns their names."""
    import runtime_kit

    installed = []
    for root in ("qiskit.providers.ibmq", "qiskit_ibm_runtime"):
        if _exists(root):
            continue
        for name, exports in LEGACY_MODULES.items():
            if name != root and not name.startswith(root + "."):
                continue
            module = types.ModuleType(name, f"runtime-kit's stand-in for the legacy {name}")
            module.__path__ = []  # a package, so that submodule imports reach sys.modules
            for export in exports:
                setattr(module, export, getattr(runtime_kit, export))
            sys.modules[name] = module
            parent, _, child = name.rpartition(".")
            if parent in sys.modules:
                setattr(sys.modules[parent], child, module)
            installed.append(name)
    return installed


def _exists(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False
