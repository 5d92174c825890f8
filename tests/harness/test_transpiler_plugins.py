"""A job that transpiles does not import qiskit-ibm-runtime for its transpiler plug-ins (1.1 s
and more), yet a program that uses qiskit-ibm-runtime still gets them."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import json, sys
from runtime_kit.harness.transpiler_plugins import defer_ibm_runtime_plugins
assert defer_ibm_runtime_plugins() and defer_ibm_runtime_plugins()  # once is enough
from qiskit import QuantumCircuit, transpile
from qiskit.providers.fake_provider import GenericBackendV2
circuit = QuantumCircuit(2)
circuit.h(0)
circuit.cx(0, 1)
circuit.measure_all()
transpile(circuit, GenericBackendV2(3, seed=1), seed_transpiler=1)
seen = {"imported_for_transpile": "qiskit_ibm_runtime" in sys.modules}
from qiskit_ibm_runtime.fake_provider import FakeManilaV2
ibm = transpile(circuit, FakeManilaV2(), translation_method="ibm_backend", seed_transpiler=1)
seen["ibm_translation"] = sorted(ibm.count_ops())
print(json.dumps(seen))
"""


def test_ibm_runtime_plugins_wait_until_a_program_imports_it() -> None:
    done = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", PROBE],
        capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["imported_for_transpile"] is False
    assert set(seen["ibm_translation"]) <= {"cx", "rz", "sx", "x", "measure", "barrier"}
