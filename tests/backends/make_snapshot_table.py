"""Write runtime_kit/backends/snapshots/table.py from the installed qiskit-ibm-runtime.

    .venv/bin/python tests/backends/make_snapshot_table.py > runtime_kit/backends/snapshots/table.py

Each device of ``qiskit_ibm_runtime/fake_provider/backends/<dir>`` becomes one row: the name
IBM gave the device (its configuration's ``backend_name``; ``alt_*`` test names become the
``ibm_*`` names the devices had), the directory, its qubits, and its aliases (the fake
backend's ``fake_*`` name).  Only the JSON files are read; qiskit_ibm_runtime is not imported.
tests/backends/test_snapshot_table.py checks that the table matches the installed package.
"""

from __future__ import annotations

import importlib.metadata
import json
import re

from runtime_kit.backends.snapshots.files import snapshot_root


def rows() -> list[tuple[str, str, int, tuple[str, ...]]]:
    found = []
    root = snapshot_root()
    for directory in sorted(path for path in root.iterdir() if (path / "__init__.py").exists()):
        conf = json.loads((directory / f"conf_{directory.name}.json").read_text())
        source = next(directory.glob("fake_*.py")).read_text()
        fake_name = re.search(r'backend_name = "(\w+)"', source).group(1)  # type: ignore[union-attr]
        given = conf["backend_name"]
        name = "ibm_" + given.removeprefix("alt_") if given.startswith("alt_") else given
        aliases = tuple(sorted({alias for alias in (given, fake_name) if alias != name}))
        found.append((name, directory.name, int(conf["n_qubits"]), aliases))
    return sorted(found, key=lambda row: (row[0].startswith("fake_"), row[0]))


def main() -> None:
    version = importlib.metadata.version("qiskit-ibm-runtime")
    print(f'''"""The device snapshots of qiskit-ibm-runtime's ``fake_provider`` (generated).

Written by tests/backends/make_snapshot_table.py from qiskit-ibm-runtime {version}; do not edit.
Each row: the device's name, its directory under ``fake_provider/backends``, its qubits, and
other names it answers to.
"""

from __future__ import annotations

from runtime_kit.backends.snapshots.snapshot import Snapshot

GENERATED_FROM = "qiskit-ibm-runtime {version}"

SNAPSHOTS = (''')
    for name, directory, qubits, aliases in rows():
        names = ", ".join(f'"{alias}"' for alias in aliases) + ("," if len(aliases) == 1 else "")
        print(f'    Snapshot("{name}", "{directory}", {qubits}, ({names})),')
    print(")")


if __name__ == "__main__":
    main()
