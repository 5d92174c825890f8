"""Import resolution: every place an import can stand, guarded or not, never importing."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from runtime_kit.checks.imports import check_imports

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


def test_removed_qiskit_modules_are_named_with_advice() -> None:
    tree = ast.parse("import qiskit.opflow as of\nfrom qiskit.algorithms.optimizers import SPSA\n")
    messages = [f.message for f in check_imports(Path("p.py"), tree, frozenset())]
    assert messages[0].startswith("cannot import 'qiskit.opflow': qiskit.opflow was removed")
    assert "use the qiskit_algorithms package" in messages[1]


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


def test_every_module_the_harness_serves_is_present_and_no_other() -> None:
    served = (
        "from qiskit_ibm_runtime.utils import RuntimeEncoder\n"
        "import qiskit.providers.ibmq.runtime.utils\n"
    )
    assert findings(served) == []
    assert findings("from qiskit.providers.ibmq import IBMQ\n") == [(1, "RK402")]
