"""The served legacy paths, each imported for real in a fresh interpreter."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from runtime_kit.harness.legacy_modules import LEGACY, Moved, RemovedName, StandIn


def python(code: str, *, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``code`` in a fresh interpreter after ``install_legacy_modules()`` (60 s deadline)."""
    prelude = "from runtime_kit.harness.legacy_modules import install_legacy_modules\n"
    return subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(code)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def installed_for_real(modules: list[str]) -> set[str]:
    """Which of ``modules`` an installed package provides, without runtime-kit's paths (a
    real module wins over a stand-in; runtime-kit's dependencies install today's
    qiskit-ibm-runtime, through mthree)."""
    code = (
        "import importlib.util, json, sys\n"
        "def found(name):\n"
        "    try:\n"
        "        return importlib.util.find_spec(name) is not None\n"
        "    except ImportError:\n"
        "        return False\n"
        f"print(json.dumps([m for m in {modules!r} if found(m)]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    return set(json.loads(done.stdout))


def test_every_path_of_the_table_imports_and_is_the_successors_own_object() -> None:
    checks = []
    real = installed_for_real([entry.module for entry in LEGACY if isinstance(entry, StandIn)])
    for entry in LEGACY:
        if isinstance(entry, StandIn):
            if entry.module in real:
                continue  # the installed module wins
            for export in entry.exports:
                checks.append(
                    f"from {entry.module} import {export}\n"
                    f"assert {export} is getattr(importlib.import_module({entry.source!r}), "
                    f"{export!r})"
                )
        elif isinstance(entry, Moved):
            checks.append(
                f"import {entry.module}\n"
                f"assert sys.modules[{entry.module!r}] is importlib.import_module("
                f"{entry.successor!r})"
            )
        else:
            checks.append(
                f"from {entry.module} import {entry.name}\n"
                f"assert {entry.name} is getattr(importlib.import_module({entry.source!r}), "
                f"{entry.name!r})"
            )
    result = python(
        "import importlib, sys\n"
        "served = install_legacy_modules()\n" + "\n".join(checks) + "\nprint(len(served))\n"
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) == sum(
        1 for e in LEGACY if not (isinstance(e, StandIn) and not e.exports)
    )


def test_a_child_of_a_moved_package_is_the_successors_module_not_a_copy() -> None:
    result = python(
        """
        install_legacy_modules()
        from qiskit.providers.aer.noise import NoiseModel
        import qiskit.providers.aer.noise as legacy_noise
        import qiskit_aer.noise
        assert legacy_noise is qiskit_aer.noise and NoiseModel is qiskit_aer.noise.NoiseModel
        assert qiskit_aer.__spec__.name == "qiskit_aer"
        """
    )
    assert result.returncode == 0, result.stderr


def test_nothing_is_faked_and_nothing_heavy_is_imported_before_use() -> None:
    result = python(
        """
        import sys
        install_legacy_modules()
        install_legacy_modules()  # idempotent
        print("qiskit_algorithms" in sys.modules)
        failures = []
        for statement in (
            "import qiskit.opflow",
            "import qiskit.ignis",
            "import qiskit.providers.ibmq.job",
            "from qiskit.providers.ibmq import IBMQ",
            "from qiskit import BasicAer",
            "from qiskit_ibm_runtime import QiskitRuntimeService",
        ):
            try:
                exec(statement)
            except ImportError as exc:
                failures.append(type(exc).__name__)
        print(failures)
        """
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "False"
    real_runtime = installed_for_real(["qiskit_ibm_runtime"])  # then QiskitRuntimeService is
    assert json.loads(lines[1].replace("'", '"')) == [
        "ModuleNotFoundError",
        "ModuleNotFoundError",
        "ModuleNotFoundError",
        "ImportError",
        "ImportError",
        *([] if real_runtime else ["ImportError"]),
    ]


def test_an_installed_legacy_package_wins_over_the_stand_in(tmp_path: Path) -> None:
    package = tmp_path / "qiskit_ibm_runtime"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "program.py").write_text("UserMessenger = 'the real one'\n")
    (package / "utils.py").write_text("RuntimeEncoder = 'the real one too'\n")
    result = python(
        """
        install_legacy_modules()
        from qiskit_ibm_runtime.program import UserMessenger
        from qiskit_ibm_runtime.utils import RuntimeEncoder
        print(UserMessenger, RuntimeEncoder, sep=", ")
        """,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["the real one, the real one too"]


def test_a_legacy_path_an_installed_package_dropped_is_served(tmp_path: Path) -> None:
    package = tmp_path / "qiskit_ibm_runtime"  # today's: no program module any more
    package.mkdir()
    (package / "__init__.py").write_text("QiskitRuntimeService = 'today'\n")
    result = python(
        """
        install_legacy_modules()
        import runtime_kit
        from qiskit_ibm_runtime import QiskitRuntimeService
        from qiskit_ibm_runtime.program import UserMessenger, ProgramBackend
        print(QiskitRuntimeService, UserMessenger is runtime_kit.UserMessenger)
        """,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["today True"]


def test_served_schedule_loads_and_raises_naming_the_removal_when_called() -> None:
    result = python(
        """
        install_legacy_modules()
        from qiskit.compiler import transpile, schedule
        schedule([], backend=None)
        """
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "runtime_kit.errors.RemovedFeatureError: qiskit.compiler.schedule "
        "(pulse scheduling) was removed in qiskit 2.0 and has no successor; runtime-kit serves "
        "the name only so that programs importing it load"
    )


def test_removed_names_chain_to_the_modules_own_getattr() -> None:
    result = python(
        """
        import qiskit
        install_legacy_modules()
        try:
            qiskit.no_such_name
        except AttributeError as exc:
            print(exc)
        print(type(qiskit.Aer).__name__, qiskit.execute.__module__)
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "module 'qiskit' has no attribute 'no_such_name'",
        "AerProvider runtime_kit.harness.legacy_qiskit",
    ]


def test_removed_names_are_the_table_entries() -> None:
    names = {e.path for e in LEGACY if isinstance(e, RemovedName)}
    assert names == {"qiskit.Aer", "qiskit.execute", "qiskit.compiler.schedule",
                     "qiskit.utils.algorithm_globals"}  # fmt: skip


def test_served_algorithm_globals_seeds_qiskit_algorithms_without_recursing() -> None:
    """qiskit-algorithms hands its seed and generator over to ``qiskit.utils.algorithm_globals``
    when that imports: the served object must answer, not call qiskit-algorithms back."""
    result = python(
        """
        install_legacy_modules()
        import numpy as np
        from qiskit.utils import algorithm_globals as legacy
        from qiskit_algorithms.optimizers import SPSA
        from qiskit_algorithms.utils import algorithm_globals

        def draws(seed, through):
            through.random_seed = seed
            spsa = SPSA(maxiter=2, learning_rate=0.1, perturbation=0.1)
            return spsa.minimize(lambda x: float(np.sum(x**2)), np.ones(3)).x.tolist()

        assert draws(5, legacy) == draws(5, legacy) == draws(5, algorithm_globals)
        assert draws(5, legacy) != draws(6, legacy)
        print(legacy.random_seed, algorithm_globals.random_seed)
        """
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["6", "6"]
