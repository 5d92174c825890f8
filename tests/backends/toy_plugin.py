"""A backend-provider plug-in, made and installed (with pip, into a directory) by the tests.

``install_toy_plugin(tmp)`` writes the wheel of a package ``rk_toy_provider`` whose entry
point ``toy`` in the group ``runtime_kit.backend_providers`` is a provider of one backend,
``toy_pair`` (two ideal qubits on qiskit's BasicSimulator), and installs it with
``pip install --target``.  Put the returned directory on ``sys.path``/``PYTHONPATH`` to use it.
"""

from __future__ import annotations

import base64
import hashlib
import subprocess
import sys
import zipfile
from pathlib import Path

NAME, VERSION = "rk_toy_provider", "1.0"

MODULE = '''"""A toy backend provider: one backend, two ideal qubits."""

from runtime_kit.backends.provider import BackendInfo

CONFIGURATION = {
    "backend_name": "toy_pair", "backend_version": "1.0", "n_qubits": 2,
    "basis_gates": ["cx", "h", "x"], "coupling_map": [[0, 1], [1, 0]], "gates": [],
    "simulator": True, "local": True, "conditional": False, "open_pulse": False,
    "memory": True, "max_shots": 4096, "max_experiments": 7,
    "online_date": "2024-01-01T00:00:00Z", "description": "two ideal qubits (a plug-in)",
}
PREPARED = []


class ToyProvider:
    name = "toy"

    def backends(self):
        return [BackendInfo("toy_pair", 2, True, "two ideal qubits (a plug-in)", ("toy",))]

    def find(self, name):
        return "toy_pair" if name in ("toy_pair", "toy") else None

    def configuration(self, name, *, memory_mib):
        return dict(CONFIGURATION, backend_name=name)

    def properties(self, name):
        return None

    def build(self, name, *, seed):
        from qiskit.providers.basic_provider import BasicSimulator

        return BasicSimulator()

    def prepare(self, names):
        PREPARED.extend(names)


provider = ToyProvider()
not_a_provider = object()
'''

ENTRY_POINTS = f"""[runtime_kit.backend_providers]
toy = {NAME}:provider
toy_fake = {NAME}:not_a_provider
toy_broken = {NAME}_missing:provider
toy_misnamed = {NAME}:provider
"""


def build_wheel(directory: Path) -> Path:
    """The plug-in's wheel (a real one: dist-info with METADATA, WHEEL, RECORD)."""
    dist_info = f"{NAME}-{VERSION}.dist-info"
    files = {
        f"{NAME}/__init__.py": MODULE,
        f"{dist_info}/METADATA": f"Metadata-Version: 2.1\nName: {NAME}\nVersion: {VERSION}\n",
        f"{dist_info}/WHEEL": "Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\n"
        "Tag: py3-none-any\n",
        f"{dist_info}/entry_points.txt": ENTRY_POINTS,
    }
    record = [f"{path},sha256={_digest(text)},{len(text.encode())}" for path, text in files.items()]
    files[f"{dist_info}/RECORD"] = "\n".join([*record, f"{dist_info}/RECORD,,"]) + "\n"
    wheel = directory / f"{NAME}-{VERSION}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, text in files.items():
            archive.writestr(path, text)
    return wheel


def install_toy_plugin(directory: Path) -> Path:
    """Build the wheel and ``pip install --target`` it; returns the target directory."""
    site = directory / "site"
    wheel = build_wheel(directory)
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
         "--disable-pip-version-check", "--target", str(site), str(wheel)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    return site


def _digest(text: str) -> str:
    digest = hashlib.sha256(text.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
