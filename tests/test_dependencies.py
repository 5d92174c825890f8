"""Dependencies are honest: what runtime_kit imports is declared, and what is declared is
used (imported, or run as a tool)."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

from tests.conftest import ROOT

PACKAGE = ROOT / "runtime_kit"
#: Declared and used without an import of the package: run as a tool, or by another name.
USED_WITHOUT_IMPORT = {
    "build": "runs as `python -m build` to make a program package's wheel",
    "httptools": "uvicorn's HTTP parser, loaded by uvicorn.protocols.http.httptools_impl",
    "qiskit-ibm-runtime": "its device snapshots (fake_provider JSON files) are read, not imported",
    "python-multipart": "starlette's request.form() parses the functions gateway's uploads",
}
#: Imported only where their absence is handled (served legacy names, optional backends).
OPTIONAL_IMPORTS = {
    "qiskit_ibm_runtime": "never imported by runtime_kit, named in legacy tables only",
}


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared() -> dict[str, set[str]]:
    """Distribution names by where they are declared: ``main`` and each extra."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {"main": {_requirement(r) for r in project["dependencies"]}}
    for extra, requirements in project.get("optional-dependencies", {}).items():
        declared[extra] = {_requirement(r) for r in requirements}
    return declared


def _requirement(text: str) -> str:
    return _normalise(re.split(r"[<>=!~;\[ ]", text, maxsplit=1)[0])


def _imported_top_level() -> set[str]:
    names: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - {"runtime_kit", "__future__"}


def test_every_imported_package_is_declared() -> None:
    distributions = packages_distributions()
    declared = set().union(*_declared().values())
    missing = {}
    for module in _imported_top_level() - set(OPTIONAL_IMPORTS):
        owners = {_normalise(d) for d in distributions.get(module, [module])}
        if not owners & declared:
            missing[module] = sorted(owners)
    assert missing == {}, f"imported but not declared in pyproject.toml: {missing}"


def test_every_declared_dependency_is_used() -> None:
    distributions = packages_distributions()
    imported = _imported_top_level()
    used = {_normalise(dist) for module in imported for dist in distributions.get(module, [module])}
    unused = _declared()["main"] - used - set(USED_WITHOUT_IMPORT)
    assert unused == set(), f"declared in pyproject.toml but never imported: {sorted(unused)}"


def test_the_exceptions_are_still_true() -> None:
    text = "\n".join(p.read_text() for p in PACKAGE.rglob("*.py"))
    assert '"-m", "build"' in text
    assert all(name in text for name in OPTIONAL_IMPORTS)
    assert Path(__file__).exists()
