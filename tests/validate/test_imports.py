"""Import resolution: every place an import can stand, guarded or not, never importing."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from runtime_kit.checks import imports
from runtime_kit.checks.imports import check_imports
from runtime_kit.harness.legacy_modules import LEGACY, Moved, RemovedName, StandIn, installed

MISSING = "not_installed_pkg_x"


def findings(source: str, local: frozenset[str] = frozenset()) -> list[tuple[int, str]]:
    tree = ast.parse(source)
    return [(f.line, f.code) for f in check_imports(Path("p.py"), tree, local)]


@pytest.mark.parametrize(
    "source",
    [
        f"import {MISSING}",
        f"from {MISSING}.sub import x",
        f"if True:\n    import {MISSING}",
        f"for _ in []:\n    pass\nelse:\n    import {MISSING}",
        f"with open('f') as f:\n    import {MISSING}",
        f"class C:\n    def m(self):\n        import {MISSING}",
        f"try:\n    pass\nfinally:\n    import {MISSING}",
        f"try:\n    import json\nexcept ImportError:\n    import {MISSING}",
        f"match 1:\n    case 1:\n        import {MISSING}",
        f"try:\n    pass\nexcept ValueError:\n    import {MISSING}",
    ],
    ids=[
        "top",
        "from",
        "if",
        "for-else",
        "with",
        "method",
        "finally",
        "in-handler",
        "match",
        "other-handler",
    ],
)
def test_missing_import_is_found_wherever_it_stands(source: str) -> None:
    line = next(i for i, text in enumerate(source.splitlines(), 1) if MISSING in text)
    assert findings(source) == [(line, "RK401")]


@pytest.mark.parametrize(
    "source",
    [
        f"try:\n    import {MISSING}\nexcept ImportError:\n    {MISSING} = None",
        f"try:\n    import {MISSING}\nexcept (ModuleNotFoundError, OSError):\n    pass",
        f"try:\n    if True:\n        import {MISSING}\nexcept Exception:\n    pass",
        f"try:\n    import {MISSING}\nexcept:\n    pass",
        "from . import helpers",
        "import helpers.sub",
        "import json, os.path\nfrom collections import abc",
        "from qiskit.providers.ibmq.runtime import UserMessenger",
    ],
    ids=[
        "guarded",
        "guarded-tuple",
        "guarded-nested",
        "bare-except",
        "relative",
        "local",
        "stdlib",
        "provided",
    ],
)
def test_guarded_local_relative_and_stdlib_imports_pass(source: str) -> None:
    assert findings(source, frozenset({"helpers"})) == []


def test_removed_qiskit_modules_without_a_successor_are_named_with_advice() -> None:
    tree = ast.parse(
        "import qiskit.opflow as of\n"
        "from qiskit.ignis.mitigation import CompleteMeasFitter\n"
        "from qiskit import IBMQ, QuantumCircuit\n"
        "from qiskit.providers.ibmq import RunnerResult, IBMQ\n"
    )
    messages = [f.message for f in check_imports(Path("p.py"), tree, frozenset())]
    assert messages[0].startswith("cannot import 'qiskit.opflow': qiskit.opflow was removed")
    assert "use the qiskit_experiments package" in messages[1]
    assert messages[2].startswith("cannot import 'IBMQ' from 'qiskit': qiskit.IBMQ was retired")
    assert messages[3] == (
        "cannot import 'IBMQ' from 'qiskit.providers.ibmq': runtime-kit serves RunnerResult "
        "there; qiskit.providers.ibmq was retired with qiskit-ibmq-provider; runtime-kit serves "
        "only its runtime program API (qiskit.providers.ibmq.runtime)"
    )
    assert len(messages) == 4


def test_removed_qiskit_names_with_a_successor_are_served() -> None:
    source = (
        "from qiskit import Aer, execute\n"
        "from qiskit.compiler import transpile, schedule\n"
        "from qiskit.execute_function import execute\n"
        "from qiskit.providers.aer import AerSimulator\n"
        "import qiskit.providers.aer.noise\n"
        "from qiskit.algorithms.optimizers import SPSA\n"
        "from qiskit.utils import algorithm_globals\n"
    )
    assert findings(source) == []
    assert findings("from qiskit.providers.aer.no_such_module import x") == [(1, "RK401")]


def test_a_moved_package_whose_successor_is_missing_is_reported_with_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The environment, narrowly: qiskit-algorithms is installed here, so pretend it is absent.
    monkeypatch.setattr(
        imports, "installed", lambda package: not package.startswith("qiskit_algorithms")
    )
    tree = ast.parse("import qiskit.algorithms\nfrom qiskit.utils import algorithm_globals\n")
    messages = [(f.line, f.code, f.message) for f in check_imports(Path("p.py"), tree, set())]
    assert messages == [
        (
            1,
            "RK402",
            "cannot import 'qiskit.algorithms': qiskit.algorithms moved to the qiskit_algorithms "
            f"package, which is not installed here ({sys.executable}; pip install "
            "qiskit-algorithms)",
        ),
        (
            2,
            "RK402",
            "cannot import 'algorithm_globals' from 'qiskit.utils': removed from qiskit; served "
            "from qiskit_algorithms.utils, which is not installed here",
        ),
    ]


def test_resolution_imports_nothing() -> None:
    code = (
        "import ast, sys\n"
        "from pathlib import Path\n"
        "from runtime_kit.checks.imports import check_imports\n"
        "tree = ast.parse('import qiskit.circuit.library\\nfrom numpy.linalg import norm')\n"
        "assert check_imports(Path('p.py'), tree, frozenset()) == []\n"
        "print(sorted(m for m in ('qiskit', 'numpy') if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "[]"


def test_every_path_the_harness_serves_passes_and_no_other() -> None:
    served = []
    for entry in LEGACY:
        if isinstance(entry, StandIn) and entry.exports:
            served += [f"import {entry.module}", f"from {entry.module} import {entry.exports[0]}"]
        elif isinstance(entry, Moved):
            served.append(f"import {entry.module}")
        elif isinstance(entry, RemovedName):
            served.append(f"from {entry.module} import {entry.name}")
    assert findings("\n".join(served)) == []
    parent_only = [] if installed("qiskit_ibm_runtime") else [(1, "RK401")]  # mthree's dep
    assert findings("import qiskit_ibm_runtime\n") == parent_only  # a parent, nothing more
    assert findings("from qiskit.providers.ibmq.runtime import IBMRuntimeService\n") == [
        (1, "RK402")
    ]


def test_names_read_from_source_never_miss_a_real_name() -> None:
    """RK403 must never be a false alarm: for every module of qiskit and qiskit-aer whose
    names the source can tell, every name the imported module really has is among them.
    (Run in a subprocess: it imports all of them.)"""
    code = """
import contextlib, importlib, io, json, pkgutil, warnings
from runtime_kit.checks.imports import find_module
from runtime_kit.checks.module_names import defined_names
warnings.simplefilter("ignore")
modules, told, wrong = set(), 0, {}
for root in ("qiskit", "qiskit_aer"):
    package = importlib.import_module(root)
    modules.add(root)
    for info in pkgutil.walk_packages(package.__path__, root + "."):
        if ".test" not in info.name:
            modules.add(info.name)
for name in sorted(modules):
    names = defined_names(find_module(name))
    if names is None:
        continue
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            module = importlib.import_module(name)
    except Exception:
        continue
    told += 1
    missing = [n for n in dir(module) if n not in names and not n.startswith("__")]
    if missing:
        wrong[name] = missing[:5]
print(json.dumps({"told": told, "wrong": wrong}))
"""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=600, check=True
    )
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["wrong"] == {}
    assert outcome["told"] > 300  # the check does read most modules


def test_a_misspelt_name_is_found_without_importing_the_module() -> None:
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from runtime_kit.validation import validate\n"
        "import tempfile, json\n"
        "d = Path(tempfile.mkdtemp())\n"
        "(d / 'program.py').write_text('from qiskit.circuit.random import random_circuitt\\n'\n"
        "    'from qiskit import QuantumCirquit\\n\\ndef main(backend, user_messenger):\\n'\n"
        "    '    pass\\n')\n"
        "(d / 'metadata.json').write_text(json.dumps({'name': 'p', 'description': 'd', "
        "'max_execution_time': 60}))\n"
        "print([f'{f.line}:{f.col} {f.code} {f.message}' for f in validate(d)])\n"
        "print('qiskit' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    shown, imported = result.stdout.strip().splitlines()
    assert "1:35 RK403 cannot import 'random_circuitt' from 'qiskit.circuit.random'" in shown
    assert "(did you mean 'random_circuit'?)" in shown
    assert "2:20 RK403 cannot import 'QuantumCirquit' from 'qiskit'" in shown
    assert imported == "False"
