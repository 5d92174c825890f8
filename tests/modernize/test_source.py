"""``migrate --source`` rewrites: ast-located edits, everything else byte for byte."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from runtime_kit.errors import MigrationError
from runtime_kit.modernize.source import migrate_source, migrate_source_file


def migrated(source: str) -> str:
    text = migrate_source(textwrap.dedent(source)).text
    assert text is not None, "nothing changed"
    return text


def notes(source: str) -> list[tuple[int, bool, str]]:
    migration = migrate_source(textwrap.dedent(source))
    return [(n.line, n.left, n.message) for n in migration.notes]


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (
            "from qiskit.providers.ibmq.runtime import UserMessenger, ProgramBackend\n",
            "from runtime_kit import UserMessenger, ProgramBackend\n",
        ),
        (
            "from qiskit.providers.ibmq.runtime.utils import RuntimeEncoder as Enc  # codec\n",
            "from runtime_kit import RuntimeEncoder as Enc  # codec\n",
        ),
        (
            "from qiskit_ibm_runtime.program import UserMessenger\n",
            "from runtime_kit import UserMessenger\n",
        ),
        (
            "from qiskit.providers.ibmq import RunnerResult\n",
            "from runtime_kit import RunnerResult\n",
        ),
        (
            "from qiskit.providers.aer import AerSimulator\n",
            "from qiskit_aer import AerSimulator\n",
        ),
        (
            "from qiskit.providers.aer.noise import NoiseModel, depolarizing_error\n",
            "from qiskit_aer.noise import NoiseModel, depolarizing_error\n",
        ),
        ("import qiskit.providers.aer as aer\n", "import qiskit_aer as aer\n"),
        ("from qiskit.providers import aer\n", "import qiskit_aer as aer\n"),
        (
            "from qiskit.algorithms.optimizers import SPSA\n",
            "from qiskit_algorithms.optimizers import SPSA\n",
        ),
        (
            "from qiskit.utils import algorithm_globals\n",
            "from qiskit_algorithms.utils import algorithm_globals\n",
        ),
        (
            "from qiskit import Aer, QuantumCircuit\n",
            "from qiskit import QuantumCircuit\nfrom qiskit_aer import Aer\n",
        ),
        (
            "if True:\n    from qiskit import QuantumCircuit, Aer as A\n",
            "if True:\n    from qiskit import QuantumCircuit\n"
            "    from qiskit_aer import Aer as A\n",
        ),
        (
            "from qiskit import (\n    Aer,\n    QuantumCircuit,\n)\n",
            "from qiskit import (\n    QuantumCircuit,\n)\nfrom qiskit_aer import (\n    Aer,\n)\n",
        ),
        (
            "import qiskit\nsim = qiskit.Aer.get_backend('qasm_simulator')\n",
            "import qiskit\nimport qiskit_aer\n"
            "sim = qiskit_aer.Aer.get_backend('qasm_simulator')\n",
        ),
        (
            "import qiskit.providers.aer\nsim = qiskit.providers.aer.AerSimulator()\n",
            "import qiskit_aer\nsim = qiskit_aer.AerSimulator()\n",
        ),
        (
            "import qiskit.providers.aer\nqc = qiskit.QuantumCircuit(1)\n",
            "import qiskit_aer, qiskit\nqc = qiskit.QuantumCircuit(1)\n",
        ),
        (
            "import qiskit.providers.aer.noise\nm = qiskit.providers.aer.noise.NoiseModel()\n",
            "import qiskit_aer.noise\nm = qiskit_aer.noise.NoiseModel()\n",
        ),
        (
            "import qiskit.providers.ibmq.runtime\n"
            "def main(backend, user_messenger: qiskit.providers.ibmq.runtime.UserMessenger):\n"
            "    pass\n",
            "import runtime_kit\n"
            "def main(backend, user_messenger: runtime_kit.UserMessenger):\n"
            "    pass\n",
        ),
    ],
)
def test_imports_and_expressions_get_their_modern_names(before: str, after: str) -> None:
    assert migrated(before) == after


EXECUTE_CASES = [
    (
        "from qiskit import execute\njob = execute(qc, backend)\n",
        "from qiskit import transpile\njob = backend.run(transpile(qc, backend), shots=1024)\n",
    ),
    (
        "from qiskit import QuantumCircuit, execute, transpile\n"
        "counts = execute(qc, self.backend, shots=10, optimization_level=3,\n"
        "                 seed_transpiler=1, memory=True).result()\n",
        "from qiskit import QuantumCircuit, transpile\n"
        "counts = self.backend.run(transpile(qc, self.backend, optimization_level=3, "
        "seed_transpiler=1), shots=10, memory=True).result()\n",
    ),
    (
        "from qiskit.compiler import transpile as tp\nfrom qiskit import execute as run_it\n"
        "run_it(experiments=qc, backend=b, pass_manager=pm, qobj_id='x')\n",
        "from qiskit.compiler import transpile as tp\nb.run(pm.run(qc), shots=1024)\n",
    ),
    (
        "import qiskit\njob = qiskit.execute([a, b], sim, parameter_binds=[{t: 1}])\n",
        "import qiskit\njob = sim.run(qiskit.transpile([a, b], sim), parameter_binds=[{t: 1}], "
        "shots=1024)\n",
    ),
    (
        "from qiskit.execute_function import execute\nexecute(qc, b, default_qubit_los=[5e9])\n",
        "from qiskit import transpile\nb.run(transpile(qc, b), qubit_lo_freq=[5e9], shots=1024)\n",
    ),
    (
        "from qiskit import execute\nimport qiskit\n"
        "execute(qc, qiskit.Aer.get_backend('aer_simulator'))\n",
        None,
    ),
]


@pytest.mark.parametrize(("before", "after"), EXECUTE_CASES)
def test_execute_calls_are_written_out_as_what_they_did(before: str, after: str | None) -> None:
    if after is None:
        text = migrated(before)
        assert "execute(qc, qiskit_aer.Aer.get_backend('aer_simulator'))" in text
        assert notes(before) == [
            (
                3,
                True,
                "execute() call left as is: its backend is an expression that execute() "
                "evaluated once: bind it to a name first",
            )
        ]
        assert "from qiskit import execute\n" in text
    else:
        assert migrated(before) == after


def test_an_import_statement_that_loses_every_name_goes_with_its_line() -> None:
    before = "from qiskit.compiler import transpile as tp\nfrom qiskit import execute as x\n"
    assert migrated(before + "x(qc, b)\n") == (
        "from qiskit.compiler import transpile as tp\nb.run(tp(qc, b), shots=1024)\n"
    )
    alone_in_its_block = "from qiskit import transpile\nif True:\n    from qiskit import execute\n"
    assert migrated(alone_in_its_block + "execute(qc, b)\n") == (
        "from qiskit import transpile\nif True:\n    pass\nb.run(transpile(qc, b), shots=1024)\n"
    )


def test_what_has_no_modern_spelling_is_left_and_reported() -> None:
    source = """\
        from qiskit.compiler import transpile, schedule
        from qiskit.opflow import PauliSumOp
        from qiskit import IBMQ, execute
        import qiskit.ignis.mitigation as mit

        def main(backend, user_messenger, circuits):
            circuits = schedule(circuits, backend)
            return execute(circuits, backend, schedule_circuit=True)
        """
    migration = migrate_source(textwrap.dedent(source))
    assert migration.text is None
    assert not migration.complete
    assert [(n.line, n.message.split(":")[0]) for n in migration.notes] == [
        (1, "qiskit.compiler.schedule left as is"),
        (2, "qiskit.opflow.PauliSumOp left as is"),
        (3, "qiskit.IBMQ left as is"),
        (4, "qiskit.ignis.mitigation left as is"),
        (8, "execute() call left as is"),
    ]
    assert (
        "schedule_circuit= has no successor (removed in qiskit 2.0)" in migration.notes[-1].message
    )


def test_formatting_outside_the_edits_is_kept_byte_for_byte() -> None:
    source = (
        "# -*- coding: utf-8 -*-\r\n"
        '"""Données: ünïcode before the edit."""\r\n'
        "from qiskit.providers.aer import AerSimulator   # the simulator\r\n"
        "x  =  AerSimulator( )  ;  y = 'é' ; from qiskit import Aer\r\n"
    )
    assert migrate_source(source).text == (
        "# -*- coding: utf-8 -*-\r\n"
        '"""Données: ünïcode before the edit."""\r\n'
        "from qiskit_aer import AerSimulator   # the simulator\r\n"
        "x  =  AerSimulator( )  ;  y = 'é' ; from qiskit_aer import Aer\r\n"
    )


def test_modern_source_is_left_alone() -> None:
    source = "from qiskit import QuantumCircuit\nfrom qiskit_ibm_runtime import SamplerV2\n"
    migration = migrate_source(source)
    assert (migration.text, migration.notes, migration.complete) == (None, [], True)


def test_a_file_is_migrated_in_place_or_not_at_all(tmp_path: Path) -> None:
    path = tmp_path / "program.py"
    path.write_text("from qiskit.providers.aer import AerSimulator\n")
    assert migrate_source_file(path, write=False).changed
    assert path.read_text() == "from qiskit.providers.aer import AerSimulator\n"
    migrate_source_file(path)
    assert path.read_text() == "from qiskit_aer import AerSimulator\n"
    assert not migrate_source_file(path).changed


def test_invalid_python_is_one_error_with_its_location(tmp_path: Path) -> None:
    path = tmp_path / "program.py"
    path.write_text("def main(:\n")
    with pytest.raises(MigrationError, match=r"program.py:1:10: invalid syntax"):
        migrate_source_file(path)
