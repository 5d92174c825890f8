"""The job-side runner: standard library only, Python 3.8, the same frames and legacy paths
as runtime-kit's own child, and a portable codec that reads what the legacy client wrote."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from runtime_kit.harness import frames
from runtime_kit.harness.legacy_modules import STAND_INS
from runtime_kit.harness.process import JOBSIDE_DIR
from runtime_kit.jobside import frames as jobside_frames
from runtime_kit.jobside.legacy import STAND_INS as JOBSIDE_STAND_INS
from runtime_kit.sandbox.warm_template import SANDBOX_DIR

MODULES = sorted(JOBSIDE_DIR.glob("*.py"))
PYTHON_38 = Path(os.environ.get("PYENV_ROOT", "~/.pyenv")).expanduser() / "versions"
#: What a program environment's template runs on that environment's Python.
TEMPLATE_MODULES = [
    SANDBOX_DIR / f"{name}.py" for name in ("fork_server", "job_root", "linux", "thread_pools")
]


@pytest.mark.parametrize("module", MODULES + TEMPLATE_MODULES, ids=lambda path: path.stem)
def test_modules_import_only_the_standard_library_at_import_time(module: Path) -> None:
    tree = ast.parse(module.read_text())
    for node in tree.body:  # module level: what importing it runs
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                continue  # its own package
            names = [node.module or ""]
        else:
            continue
        for name in names:
            top = name.split(".", maxsplit=1)[0]
            assert top in sys.stdlib_module_names or top == "__future__", (module, name)


@pytest.mark.parametrize(
    ("package", "modules"),
    [("runtime_kit_jobside", MODULES), ("runtime_kit_sandbox", TEMPLATE_MODULES)],
)
def test_it_runs_on_python_3_8(package: str, modules: list[Path]) -> None:
    pythons = sorted(PYTHON_38.glob("3.8.*/bin/python3"))
    if not pythons:
        pytest.skip("no Python 3.8 here (pyenv)")
    script = (
        "import importlib.util as u, sys; n, p = sys.argv[1:3]; "
        "s = u.spec_from_file_location(n, p + '/__init__.py', "
        "submodule_search_locations=[p]); m = u.module_from_spec(s); "
        "sys.modules[s.name] = m; s.loader.exec_module(m)\n"
        "import importlib\n"
        "for name in sys.argv[3:]: importlib.import_module(n + '.' + name)\n"
        "print(sorted(k for k in sys.modules if k.startswith(n)))"
    )
    names = [m.stem for m in modules if m.stem != "__init__"]
    directory = str(modules[0].parent)
    done = subprocess.run(
        [str(pythons[-1]), "-I", "-W", "error", "-c", script, package, directory, *names],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert f"{package}.{names[0]}" in done.stdout


def test_frames_are_written_as_the_harness_reads_them() -> None:
    read_end, write_end = os.pipe()
    jobside_frames.write_frame(write_end, jobside_frames.INTERIM, '{"é": 1}')
    jobside_frames.control(write_end, jobside_frames.FAILED, {"error": "x"})
    os.close(write_end)
    assert list(frames.read_frames(read_end)) == [
        (frames.INTERIM, '{"é": 1}'),
        (frames.FAILED, '{"error": "x"}'),
    ]
    kinds = {jobside_frames.INTERIM, jobside_frames.RESULT, jobside_frames.STARTED}
    kinds |= {jobside_frames.STATUS}
    # all but the broker's: a program in an environment of its own runs on simulators only
    assert kinds | {jobside_frames.REJECTED, jobside_frames.FAILED} == frames.KINDS - {
        frames.BROKER
    }


def test_the_legacy_paths_are_those_runtime_kit_serves() -> None:
    """The program API's paths (``qiskit.execute`` is the environment's own Qiskit's)."""
    api = {n: e.exports for n, e in STAND_INS.items() if e.source == "runtime_kit"}
    assert api == JOBSIDE_STAND_INS


def test_portable_codec_round_trips_with_runtime_kits_own() -> None:
    """In runtime-kit's own environment (qiskit 2): what the portable codec writes, ours
    reads, and the other way round."""
    import numpy as np
    from qiskit import QuantumCircuit
    from qiskit.quantum_info import SparsePauliOp

    from runtime_kit.jobside import portable
    from runtime_kit.serialization import RuntimeDecoder, RuntimeEncoder

    circuit = QuantumCircuit(2)
    circuit.h(0)
    circuit.cx(0, 1)
    value = {
        "array": np.arange(6).reshape(2, 3),
        "complex": 1 + 2j,
        "set": {1, 2},
        "operator": SparsePauliOp.from_list([("ZZ", 1.0), ("XI", 0.5)]),
        "circuit": circuit,
        "int64": np.int64(3),
    }
    text = json.dumps(value, cls=portable.RuntimeEncoder)
    ours = json.loads(text, cls=RuntimeDecoder)
    assert ours["operator"] == value["operator"] and ours["circuit"] == circuit
    assert (ours["array"] == value["array"]).all() and ours["set"] == {1, 2}
    assert ours["int64"] == 3 and ours["complex"] == 1 + 2j
    back = json.loads(json.dumps(ours, cls=RuntimeEncoder), cls=portable.RuntimeDecoder)
    assert back["operator"] == value["operator"] and back["circuit"] == circuit


def test_portable_codec_rebuilds_only_qiskits_classes() -> None:
    from runtime_kit.jobside import portable

    hostile = {"__type__": "settings", "__module__": "subprocess", "__class__": "Popen",
               "__value__": {"args": ["touch", "/tmp/owned"]}}  # fmt: skip
    with pytest.raises(ValueError, match="only qiskit's own classes are rebuilt"):
        json.loads(json.dumps(hostile), cls=portable.RuntimeDecoder)
