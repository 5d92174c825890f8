"""The service's folders are its layers, and imports only go down (runtime_kit/service/README.md).

From the top: the process (the package's own modules: ``service``, ``server``, ``settings``,
...), the web view (``ui``), the API (``http``), the core (``core``) and the executors
(``executors``).  A module may import its own layer and those below it, never one above; so
the routes never see the ``Service`` object, only ``http.api.Api``.  Every import counts:
at the top of a module, inside a function, or for type checking only.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

SERVICE = ROOT / "runtime_kit" / "service"
PACKAGE = "runtime_kit.service"
#: Each layer's packages, from the bottom up; the package's own modules are the top.
LAYERS = ("executors", "core", "http", "ui")
TOP = len(LAYERS)
#: Web frameworks the core does without (it is called by routes, it does not serve them).
WEB = ("fastapi", "starlette", "uvicorn", "jinja2")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> int:
    """The rank of ``module`` (a name under ``runtime_kit.service``): higher is nearer the
    process."""
    first = module.removeprefix(PACKAGE).lstrip(".").split(".")[0]
    return LAYERS.index(first) if first in LAYERS else TOP


def imports_of(path: Path, module: str | None = None) -> list[tuple[int, str]]:
    """Every module ``path`` (module ``module``: by default, the one at ``path``) imports
    (``from a import b`` counts as ``a`` and ``a.b``), with its line, wherever the import is."""
    module = module or module_name(path)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            found.append((node.lineno, base))
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return found


def service_modules() -> list[Path]:
    return sorted(SERVICE.rglob("*.py"))


def test_the_layers_are_the_folders_there_are() -> None:
    """A new folder is given its place in ``LAYERS`` (and the README) before it holds code."""
    folders = {p.parent.name for p in SERVICE.glob("*/__init__.py")}
    assert folders == set(LAYERS)


@pytest.mark.parametrize("path", service_modules(), ids=lambda p: str(p.relative_to(SERVICE)))
def test_imports_only_go_down(path: Path) -> None:
    module = module_name(path)
    rank = layer_of(module)
    upward = [
        f"line {line}: {name} ({layer_of(name)} > {rank})"
        for line, name in imports_of(path)
        if name.startswith(PACKAGE + ".") and layer_of(name) > rank
    ]
    assert not upward, f"{module} imports a layer above its own: " + "; ".join(upward)


@pytest.mark.parametrize("path", sorted((SERVICE / "core").rglob("*.py")), ids=lambda p: p.name)
def test_the_core_serves_no_http(path: Path) -> None:
    web = [f"line {line}: {name}" for line, name in imports_of(path) if name.split(".")[0] in WEB]
    assert not web, f"{module_name(path)} imports a web framework: " + "; ".join(web)


def test_service_modules_import_no_cycle() -> None:
    """No module of the service imports, through others, itself (the routes once imported
    ``service.py``, which builds the app that imports the routes).  A package gathering its
    own modules (the executors' registry, the web view's router) is not a cycle."""
    graph = {module_name(p): set[str]() for p in service_modules()}
    for path in service_modules():
        module = module_name(path)
        for _, imported in imports_of(path):
            name = imported
            while name and name not in graph:  # a name in a module: the module
                name = name.rpartition(".")[0]
            gathered = path.name == "__init__.py" and name.startswith(module + ".")
            if name and name != module and not gathered:
                graph[module].add(name)
    cycle = _a_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or ())


def _a_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the path being walked, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for following in sorted(graph[node]):
            if state.get(following) == 1:
                return [*path[path.index(following) :], following]
            if following not in state and (found := visit(following)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_checks_find_an_upward_import(tmp_path: Path) -> None:
    """The walk sees imports inside functions and under TYPE_CHECKING, relative ones too."""
    module = "runtime_kit.service.http.example"
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from runtime_kit.service.service import Service\n"
        "def f():\n"
        "    from .. import ui\n"
    )
    written = tmp_path / "example.py"
    written.write_text(source)
    found = [name for _, name in imports_of(written, module)]
    assert "runtime_kit.service.service" in found and "runtime_kit.service.ui" in found
    assert layer_of("runtime_kit.service.service") > layer_of(module)
    assert layer_of("runtime_kit.service.ui") > layer_of(module)
    assert _a_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
