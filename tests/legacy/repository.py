"""Legacy program repositories written in tmp_path, as their authors left them.

``write_partner_repository`` follows the layout of IBM's archived sample repository for
program authors (Qiskit-Partners/qiskit-runtime): programs under ``qiskit_runtime/<name>/``,
tests under ``test/`` with a fake messenger built on qiskit-ibmq-provider's encoder, run with
``pytest`` from the repository root.  The code is written for this test, in that style.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

CIRCUIT_RUNNER = '''\
"""Transpile circuits for the backend and run them; publish the result as the final message."""

from qiskit.compiler import transpile, schedule


def main(backend, user_messenger, circuits, initial_layout=None, seed_transpiler=None,
         optimization_level=None, transpiler_options=None, schedule_circuit=False, **kwargs):
    circuits = transpile(circuits, backend=backend, initial_layout=initial_layout,
                         seed_transpiler=seed_transpiler, optimization_level=optimization_level,
                         **(transpiler_options or {}))
    if schedule_circuit:
        circuits = schedule(circuits, backend=backend)
    result = backend.run(circuits, **kwargs).result()
    user_messenger.publish(result.to_dict(), final=True)
'''

SAMPLE_PROGRAM = '''\
"""Runs a random circuit per iteration and publishes its counts."""

import random

from qiskit import transpile
from qiskit.circuit.random import random_circuit


def main(backend, user_messenger, **kwargs):
    for iteration in range(kwargs.pop("iterations", 5)):
        circuit = random_circuit(3, 2, measure=True, seed=random.randint(0, 1000))
        counts = backend.run(transpile(circuit, backend), shots=50).result().get_counts()
        user_messenger.publish({"iteration": iteration, "counts": counts})
    return "All done!"
'''

FAKE_USER_MESSENGER = '''\
import json
from typing import Any, Type

from qiskit.providers.ibmq.runtime.utils import RuntimeEncoder


class FakeUserMessenger:
    """Keeps the last message, as the program's user would see it after the wire."""

    def __init__(self):
        self.call_count = 0
        self.message = None

    def publish(self, message: Any, encoder: Type[json.JSONEncoder] = RuntimeEncoder,
                final: bool = False):
        self.message = json.loads(json.dumps(message, cls=encoder))
        self.call_count += 1
'''

TEST_CIRCUIT_RUNNER = '''\
"""Test the circuit runner."""

import json
from unittest import TestCase

from qiskit import QuantumCircuit
from qiskit.providers.aer import AerSimulator
from qiskit.providers.ibmq.runtime.utils import RuntimeDecoder, RuntimeEncoder
from qiskit.result import Result

from qiskit_runtime.circuit_runner import circuit_runner
from test.fake_user_messenger import FakeUserMessenger


class TestCircuitRunner(TestCase):
    def setUp(self):
        circuit = QuantumCircuit(4)
        circuit.x(range(4))
        circuit.h(range(4))
        circuit.measure_all()
        self.circuit = circuit
        self.backend = AerSimulator()
        self.user_messenger = FakeUserMessenger()

    def test_inputs_survive_the_wire(self):
        inputs = {"circuits": self.circuit, "shots": 100, "seed_simulator": 7}
        decoded = json.loads(json.dumps(inputs, cls=RuntimeEncoder), cls=RuntimeDecoder)
        self.assertEqual(decoded["circuits"], self.circuit)

    def test_circuit_runner(self):
        inputs = {"circuits": self.circuit, "shots": 100, "seed_simulator": 7}
        decoded = json.loads(json.dumps(inputs, cls=RuntimeEncoder), cls=RuntimeDecoder)
        circuit_runner.main(backend=self.backend, user_messenger=self.user_messenger,
                            optimization_level=0, initial_layout=[0, 1, 2, 3], **decoded)
        self.assertEqual(self.user_messenger.call_count, 1)
        result = Result.from_dict(self.user_messenger.message)
        self.assertEqual(sum(result.get_counts().values()), 100)
'''

TEST_SAMPLE_PROGRAM = '''\
"""Test the sample program."""

from unittest import TestCase

from test.fake_user_messenger import FakeUserMessenger
from qiskit_runtime.sample_program import sample_program
from qiskit.providers.aer import AerSimulator


class TestSampleProgram(TestCase):
    def test_run_program(self):
        user_messenger = FakeUserMessenger()
        result = sample_program.main(AerSimulator(), user_messenger, iterations=2)
        self.assertEqual(result, "All done!")
        self.assertEqual(user_messenger.call_count, 2)
        self.assertEqual(user_messenger.message["iteration"], 1)
'''

#: A legacy program of the qiskit 0.3x era: ``execute`` on ``Aer``'s simulator.
EXECUTE_PROGRAM = '''\
"""Counts of a GHZ state, with legacy qiskit.execute on Aer's simulator."""

import qiskit
from qiskit import Aer, QuantumCircuit, execute
from qiskit.providers.ibmq.runtime import UserMessenger


def ghz(size):
    circuit = QuantumCircuit(size)
    circuit.h(0)
    for qubit in range(1, size):
        circuit.cx(0, qubit)
    circuit.measure_all()
    return circuit


def main(backend, user_messenger: UserMessenger, size=3, shots=200, seed=11):
    local = Aer.get_backend("aer_simulator")
    job = execute(ghz(size), local,
                  shots=shots, seed_simulator=seed, optimization_level=1)
    user_messenger.publish({"local": job.result().get_counts()})
    counts = qiskit.execute(ghz(size), backend, seed_simulator=seed).result().get_counts()
    return {"shots": sum(counts.values()), "outcomes": sorted(counts)}
'''

EXECUTE_METADATA = """\
{
  "name": "legacy-ghz",
  "description": "GHZ counts through legacy qiskit.execute.",
  "max_execution_time": 120,
  "spec": {
    "parameters": {
      "type": "object",
      "properties": {
        "size": {"type": "integer"},
        "shots": {"type": "integer"},
        "seed": {"type": "integer"}
      }
    }
  }
}
"""


def write_files(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


def write_partner_repository(root: Path) -> Path:
    """The archived sample repository's layout: two programs, their tests, a fake messenger."""
    return write_files(
        root,
        {
            "qiskit_runtime/circuit_runner/circuit_runner.py": CIRCUIT_RUNNER,
            "qiskit_runtime/sample_program/sample_program.py": SAMPLE_PROGRAM,
            "test/__init__.py": "",
            "test/fake_user_messenger.py": FAKE_USER_MESSENGER,
            "test/circuit_runner/test_circuit_runner.py": TEST_CIRCUIT_RUNNER,
            "test/sample_program/__init__.py": "",
            "test/sample_program/test_sample_program.py": TEST_SAMPLE_PROGRAM,
        },
    )


def write_execute_program(root: Path) -> Path:
    """A program directory whose program uses ``qiskit.execute`` and ``qiskit.Aer``."""
    return write_files(root, {"program.py": EXECUTE_PROGRAM, "metadata.json": EXECUTE_METADATA})
