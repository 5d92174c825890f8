"""Every code block of README.md and docs/*.md runs as written, or says why it does not.

A block is known by its fence's language:

- ``python``: runs as a script in a fresh subprocess (this venv's python), in a fresh copy of
  the workspace (a temporary directory holding the files the examples name, see
  ``WORKSPACE``), with ``RUNTIME_KIT_URL``/``RUNTIME_KIT_TOKEN`` pointing at a real
  ``runtime-kit serve`` on 127.0.0.1 (built-in programs served) and the session's temporary
  HOME; it must exit 0.  A block defining a module-level ``main(backend, user_messenger,
  ...)`` is a program: ``runtime-kit run`` runs it (with a minimal metadata file beside it).
  A block defining ``test_`` functions is a test module: pytest runs it as
  ``tests/test_doc_block.py`` of a project ``runtime-kit new`` makes (the default template).
- ``console``: a shell session.  Lines starting with ``$ `` are commands (a trailing ``\\``
  continues one), the others are what they print.  The commands run in bash (``set -e``)
  in the workspace and environment above, with this venv first on PATH, and must all
  succeed; each line shown as output must appear in what they print once both are reduced
  to their ``shape`` (ids, digests and numbers masked, and everything from the first JSON
  value or quoted string on).
- ``sh``, ``bash``, ``shell``: commands only, run as above.
- ``text``, ``yaml``, ``ini``, ``toml``, ``diff``, ``dockerfile``, ``json``: not code to run
  (outputs, configuration files, patches).  A fence without a language fails the test.

A code block that must not run here says so on the line before its fence:

- ``<!-- not-run: why -->``: the reason is required (it needs a Ray cluster or a real host,
  runs until stopped, is a run of ``make``...).
- ``<!-- same-as: tests/path/file.py -->``: the block is that file (its docstring left
  out), which another test runs; this one checks they are the same text.

A marker before a block that is not code, or before no block at all, fails the test.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.service.real_server import RealServer

DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
PYTHON = {"python"}
SESSION = {"console"}
SHELL = {"sh", "bash", "shell"}
NOT_CODE = {"text", "yaml", "ini", "toml", "diff", "dockerfile", "json"}
DEADLINE_S = 600
_FENCE = re.compile(r"^(\s*)```(\S*)\s*$")
_MARKER = re.compile(r"^<!--\s*(not-run|same-as):(.*?)-->$", re.DOTALL)
#: What each block's workspace holds, copied from the repository: the files the examples
#: name (a program and its metadata, the legacy examples' VQE, example projects).
WORKSPACE = {
    "program.py": "examples/hello/program.py",
    "metadata.json": "examples/hello/metadata.json",
    "inputs": "examples/hello/inputs",
    "examples/hello": "examples/hello",
    "examples/bell-function": "examples/bell-function",
    "my_vqe.py": "tests/interop/legacy_examples/my_vqe.py",
    "my_vqe_metadata.json": "tests/interop/legacy_examples/my_vqe_metadata.json",
    "programs/vqe": "examples/hello",
    "programs/qaoa/program.py": "tests/interop/legacy_examples/my_vqe.py",
    "programs/qaoa/metadata.json": "tests/interop/legacy_examples/my_vqe_metadata.json",
}


@dataclass(frozen=True)
class Block:
    """A fenced block: where it starts, its language, its text, and its marker if any."""

    path: Path
    line: int
    language: str
    text: str
    marker: tuple[str, str] | None

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def blocks_of(path: Path) -> tuple[list[Block], list[str]]:
    """The fenced blocks of a markdown file, and its markers that precede no block."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks, dangling = [], []
    marker: tuple[str, str, int] | None = None
    index = 0
    while index < len(lines):
        line = lines[index].strip()
        fence = _FENCE.match(lines[index])
        if fence:
            end = next(
                (i for i in range(index + 1, len(lines)) if lines[i].strip().startswith("```")),
                len(lines),
            )
            indent = len(fence.group(1))  # a block in a list item: its lines are indented
            text = "\n".join(line[indent:] for line in lines[index + 1 : end]) + "\n"
            found = (marker[0], marker[1]) if marker else None
            blocks.append(Block(path, index + 1, fence.group(2), text, found))
            marker, index = None, end + 1
            continue
        if line:
            if marker is not None:
                dangling.append(f"{path.relative_to(ROOT)}:{marker[2]}")
            matched = _MARKER.match(line)
            marker = (matched.group(1), matched.group(2).strip(), index + 1) if matched else None
        index += 1
    if marker is not None:
        dangling.append(f"{path.relative_to(ROOT)}:{marker[2]}")
    return blocks, dangling


def all_blocks() -> list[Block]:
    return [block for path in DOCUMENTS for block in blocks_of(path)[0]]


def runnable(block: Block) -> bool:
    return block.language in PYTHON | SESSION | SHELL and block.marker is None


def same_as(block: Block) -> bool:
    return block.marker is not None and block.marker[0] == "same-as"


def shape(line: str) -> str:
    """A line of output with what changes from run to run masked: everything from the first
    JSON value or quoted string on, the directories a path starts with (``./x``, ``/tmp/.../x``
    and ``x`` differ only in where the command ran), ids (``job-...``, ``name-XXXXXXXXXX``),
    hex digests and numbers."""
    line = re.sub(r"[\[{\"'].*$", "…", line.strip())
    line = re.sub(r"(?<!\S)(?:\.?/|/)?(?:[\w.-]+/)+", "", line)
    line = re.sub(r"\b[\w.]*(?:-[\w.]+)*-[A-Za-z0-9]{10,16}\b", "<id>", line)
    line = re.sub(r"\b[0-9a-f]{12,64}\b", "<hex>", line)
    line = re.sub(r"\d+(?:\.\d+)?", "0", line)
    return re.sub(r"\s+", " ", line)


def session(text: str) -> tuple[str, list[str]]:
    """A console block's commands (as one script) and the output lines it shows."""
    commands: list[str] = []
    shown: list[str] = []
    continued = False
    for line in text.splitlines():
        if continued or line.startswith("$ "):
            commands.append(line if continued else line[2:])
            continued = line.rstrip().endswith("\\")
        elif line.strip():
            shown.append(line)
    return "\n".join(commands), shown


def defines(text: str) -> str:
    """What a python block is: "program" (a ``main(backend, user_messenger, ...)``),
    "tests" (``test_`` functions) or "script"."""
    functions = [node for node in ast.parse(text).body if isinstance(node, ast.FunctionDef)]
    for function in functions:
        arguments = [argument.arg for argument in function.args.args[:2]]
        if function.name == "main" and arguments == ["backend", "user_messenger"]:
            return "program"
    return "tests" if any(f.name.startswith("test_") for f in functions) else "script"


@pytest.fixture(scope="module")
def docs_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealServer]:
    data = tmp_path_factory.mktemp("docs-service") / "data"
    server = RealServer(data, "--sandbox", "prefer", "--shutdown-timeout", "1").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    place = tmp_path / "work"
    for target, source in WORKSPACE.items():
        origin = ROOT / source
        copy = shutil.copytree if origin.is_dir() else shutil.copy2
        (place / target).parent.mkdir(parents=True, exist_ok=True)
        copy(origin, place / target)
    return place


@pytest.fixture
def docs_env(docs_server: RealServer, tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "RUNTIME_KIT_URL": docs_server.url,
        "RUNTIME_KIT_TOKEN": docs_server.token,
        "RUNTIME_KIT_CONFIG": str(tmp_path / "config.json"),
    }


def run(
    command: list[str], cwd: Path, env: dict[str, str], where: str
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        command,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=DEADLINE_S,
        check=False,
    )
    assert done.returncode == 0, f"{where}: exit {done.returncode}\n{done.stdout[-4000:]}"
    return done


def test_every_block_names_its_language_and_every_marker_its_block() -> None:
    problems = []
    for path in DOCUMENTS:
        blocks, dangling = blocks_of(path)
        problems += [f"{where}: a marker before no code block" for where in dangling]
        for block in blocks:
            known = sorted(PYTHON | SESSION | SHELL | NOT_CODE)
            if block.language not in known:
                problems.append(f"{block.where}: fence language {block.language!r} not in {known}")
            elif block.marker and block.language in NOT_CODE:
                problems.append(f"{block.where}: a marker on a {block.language} block")
            elif block.marker and not block.marker[1]:
                problems.append(f"{block.where}: {block.marker[0]} needs a reason or a path")
    assert problems == []


@pytest.mark.parametrize("block", [b for b in all_blocks() if same_as(b)], ids=lambda b: b.where)
def test_a_block_run_elsewhere_is_that_file(block: Block) -> None:
    assert block.marker is not None
    source = (ROOT / block.marker[1]).read_text(encoding="utf-8")
    module = ast.parse(source)
    first = module.body[0] if module.body else None
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):  # the docstring
        source = "\n".join(source.splitlines()[first.end_lineno :])
    assert block.text.strip("\n") == source.strip("\n"), f"{block.where} != {block.marker[1]}"


@pytest.mark.service
@pytest.mark.parametrize("block", [b for b in all_blocks() if runnable(b)], ids=lambda b: b.where)
def test_the_block_runs(block: Block, workspace: Path, docs_env: dict[str, str]) -> None:
    if block.language in PYTHON:
        run_python(block, workspace, docs_env)
        return
    script, shown = session(block.text) if block.language in SESSION else (block.text, [])
    assert script.strip(), f"{block.where}: no command in the block"
    done = run(["bash", "-c", "set -eo pipefail\n" + script], workspace, docs_env, block.where)
    printed = {shape(line) for line in done.stdout.splitlines()}
    missing = [line for line in shown if shape(line) not in printed]
    assert missing == [], f"{block.where}: shown but not printed:\n{missing}\n---\n{done.stdout}"


def run_python(block: Block, workspace: Path, env: dict[str, str]) -> None:
    kind = defines(block.text)
    if kind == "program":
        program = workspace / "doc_program"
        program.mkdir()
        (program / "program.py").write_text(block.text)
        (program / "metadata.json").write_text('{"name": "doc-program", "max_execution_time": 300}')
        run(["runtime-kit", "run", str(program)], workspace, env, block.where)
    elif kind == "tests":
        run(["runtime-kit", "new", "Doc block", "--no-input"], workspace, env, block.where)
        project = workspace / "doc-block"
        (project / "tests" / "test_doc_block.py").write_text(block.text)
        command = [sys.executable, "-m", "pytest", "-q", "tests/test_doc_block.py"]
        run(command, project, env, block.where)
    else:
        (workspace / "doc_block.py").write_text(block.text)
        run([sys.executable, "doc_block.py"], workspace, env, block.where)
