"""The pre-commit hook of this checkout, run by the real ``pre-commit run`` as a user's
configuration names it (a repository and a revision)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

HELLO = ROOT / "examples" / "hello"
#: pre-commit installs the hook's environment with pip; its downloads are cached here.
PIP_CACHE = ROOT / ".cache" / "pip"
INSTALL_TIMEOUT_S = 900
#: pre-commit builds the hook's environment, a side venv of its own (not in ``make check``).
pytestmark = pytest.mark.side_venv


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A git repository with a good program and a bad one (main's arguments swapped)."""
    path = tmp_path_factory.mktemp("repo")
    shutil.copytree(HELLO, path / "good")
    shutil.copytree(HELLO, path / "bad")
    program = path / "bad" / "program.py"
    program.write_text(
        program.read_text().replace(
            "def main(backend, user_messenger", "def main(user_messenger, backend"
        )
    )
    (path / "README.md").write_text("not a program\n")
    _git(path, "init", "--quiet")
    _git(path, "add", "--all")
    return path


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This checkout's files as they are now, committed or not, in a repository of one commit:
    both tests name that revision, so pre-commit builds the hook's environment once (``try-repo``
    would build it at every call: it keeps its store in a temporary directory)."""
    path = tmp_path_factory.mktemp("checkout")
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT, capture_output=True, check=True, timeout=60,
    ).stdout.decode()  # fmt: skip
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():  # a file deleted but not yet staged is listed too
            (path / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, path / name)
    _git(path, "init", "--quiet")
    _git(path, "add", "--all")
    _git(path, "-c", "user.name=test", "-c", "user.email=test@example.com", "commit", "-qm", "now")
    return path


@pytest.fixture(scope="module")
def pre_commit_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    PIP_CACHE.mkdir(parents=True, exist_ok=True)
    return {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path_factory.mktemp("pre-commit-home")),
        "PIP_CACHE_DIR": str(PIP_CACHE),
        "GIT_AUTHOR_NAME": "test",
        "GIT_AUTHOR_EMAIL": "test@example.com",
        "GIT_COMMITTER_NAME": "test",
        "GIT_COMMITTER_EMAIL": "test@example.com",
    }


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, timeout=60)


@pytest.fixture(scope="module")
def config(checkout: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A user's ``.pre-commit-config.yaml`` naming the hook at the checkout's revision (kept
    outside the repository the hook checks)."""
    revision = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=checkout, capture_output=True, text=True, check=True
    ).stdout.strip()
    path = tmp_path_factory.mktemp("config") / ".pre-commit-config.yaml"
    path.write_text(
        f"repos:\n  - repo: {checkout}\n    rev: {revision}\n"
        "    hooks:\n      - id: runtime-kit-validate\n"
    )
    return path


def _run_hook(
    config: Path, repo: Path, env: dict[str, str], *args: str
) -> subprocess.CompletedProcess[str]:
    pre_commit = Path(sys.executable).with_name("pre-commit")
    return subprocess.run(
        [str(pre_commit), "run", "--config", str(config), "runtime-kit-validate", *args],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=INSTALL_TIMEOUT_S,
        check=False,
    )


def test_hook_fails_on_the_bad_program_with_its_finding(
    config: Path, repo: Path, pre_commit_env: dict[str, str]
) -> None:
    result = _run_hook(config, repo, pre_commit_env, "--all-files")
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "runtime-kit validate" in output and "Failed" in output
    lines = (HELLO / "program.py").read_text().splitlines()
    line = next(n for n, text in enumerate(lines, 1) if text.startswith("def main("))
    assert (
        f"bad/program.py:{line}:1: RK303 main() must start with (backend, user_messenger" in output
    )
    assert "good/" not in output
    assert "1 error(s), 0 warning(s) in 2 programs" in output


def test_hook_passes_when_only_the_good_program_changed(
    config: Path, repo: Path, pre_commit_env: dict[str, str]
) -> None:
    files = [str(p.relative_to(repo)) for p in (repo / "good").rglob("*") if p.is_file()]
    result = _run_hook(config, repo, pre_commit_env, "--files", *files, "README.md")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "runtime-kit validate" in output and "Passed" in output
