"""qiskit-ibm-runtime's transpiler plug-ins, loaded only for programs that use qiskit-ibm-runtime.

qiskit's transpiler loads every stage plug-in of the installed packages (stevedore entry
points) the first time it builds a pass manager.  qiskit-ibm-runtime (installed with mthree)
registers translation plug-ins for IBM's own backends, and loading them imports the whole
package: ~1.1-1.3 s, the bulk of a short job's time, paid by every job that transpiles, for
plug-ins that only IBM's backends (objects of qiskit-ibm-runtime) ask for.

``defer_ibm_runtime_plugins`` hides those entry points from the transpiler while
qiskit_ibm_runtime is not imported; once a program imports it (to use its backends), the
next pass manager sees them again.  Nothing else changes: the plug-ins a pass manager can
choose from are the same for every backend that is not qiskit-ibm-runtime's.
"""

from __future__ import annotations

import sys
from typing import Any

PACKAGE = "qiskit_ibm_runtime"
#: The entry point groups of qiskit's transpiler stage plug-ins.
TRANSPILER_GROUPS = "qiskit.transpiler."


def defer_ibm_runtime_plugins() -> bool:
    """Hide qiskit-ibm-runtime's transpiler plug-ins until it is imported (in this process).
    Returns whether it could (stevedore, which qiskit uses for them, may be missing)."""
    try:
        import stevedore
    except ImportError:
        return False
    manager = stevedore.ExtensionManager
    listed = manager.list_entry_points
    if getattr(listed, "_runtime_kit", False):
        return True

    def list_entry_points(self: Any) -> list[Any]:
        points: list[Any] = listed(self)
        if not self.namespace.startswith(TRANSPILER_GROUPS) or PACKAGE in sys.modules:
            return points
        return [point for point in points if point.value.split(".")[0].split(":")[0] != PACKAGE]

    list_entry_points._runtime_kit = True  # type: ignore[attr-defined]
    manager.list_entry_points = list_entry_points  # type: ignore[method-assign]
    return True
