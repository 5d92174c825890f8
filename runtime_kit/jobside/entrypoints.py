"""How a job's code is entered: ``main(backend, user_messenger, **inputs)`` of a program
module (``main``, the runtime program API).  The runner looks entries up by the job's
``entrypoint`` (default ``main``), so other kinds of entry (a script reading its arguments)
take their place beside it."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any


class MainEntry:
    """The ``main()`` of the program module at ``path``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._main: Any = None

    def load(self) -> None:
        """Import the program (its module-level code runs here)."""
        spec = importlib.util.spec_from_file_location(self.path.stem, self.path)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot load {self.path}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[self.path.stem] = module
        spec.loader.exec_module(module)
        entry = getattr(module, "main", None)
        if not callable(entry):
            raise AttributeError(
                f"{self.path.name} defines no main(backend, user_messenger, **kwargs)"
            )
        self._main = entry

    def run(self, backend: Any, messenger: Any, inputs: dict[str, Any]) -> Any:
        return self._main(backend, messenger, **inputs)


ENTRIES = {"main": MainEntry}
