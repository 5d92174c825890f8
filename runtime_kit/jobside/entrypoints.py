"""How a job's code is entered, by the job's ``entrypoint`` (default ``main``):

- ``main``: ``main(backend, user_messenger, **inputs)`` of a program module (the runtime
  program API);
- ``script``: a Qiskit Function's entrypoint script, run as ``__main__``; it reads its
  arguments with ``qiskit_serverless.get_arguments()`` and ends with ``save_result(...)``
  (``serverless``).

``run`` returns what the job's result is made of: the value ``main()`` returned (encoded by
the runner), or an ``Encoded`` text (a function's saved result, encoded when it was saved).
"""

from __future__ import annotations

import importlib.util
import runpy
import sys
from pathlib import Path
from typing import Any, NamedTuple


class Encoded(NamedTuple):
    """A result already in the wire format (``null``: nothing was saved)."""

    text: str


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


class ScriptExit(Exception):
    """The function's script ended with ``sys.exit`` of a failure code."""


class ScriptEntry:
    """A function's entrypoint script at ``path``; ``messenger`` gives it ``encode`` (the
    environment's codec) and ``status`` (the job's sub-status, live)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> None:
        if not self.path.is_file():
            raise FileNotFoundError(f"the function's entrypoint {self.path.name} is missing")

    def run(self, backend: Any, messenger: Any, inputs: dict[str, Any]) -> Encoded:
        from . import serverless

        session = serverless.begin(inputs, messenger.encode, messenger.status, backend)
        argv = sys.argv
        sys.argv = [str(self.path)]
        try:
            runpy.run_path(str(self.path), run_name="__main__")
        except SystemExit as exc:
            if exc.code not in (None, 0):
                raise ScriptExit(f"the function's script called sys.exit({exc.code!r})") from exc
        finally:
            sys.argv = argv
        return Encoded("null" if session.saved is None else session.saved)


ENTRIES: dict[str, Any] = {"main": MainEntry, "script": ScriptEntry}
