"""Which files of a program directory go into its bundle: ``.runtimeignore`` and
``.gitignore`` rules (gitignore syntax: globs, ``dir/``, leading ``/``, ``!`` to re-include),
and never version control, caches or virtual environments."""

from __future__ import annotations

import fnmatch
from pathlib import Path, PurePosixPath

ALWAYS_IGNORED_DIRS = {
    ".git", ".hg", ".svn", "__pycache__", ".venv", "venv", ".tox", ".nox", ".pytest_cache",
    ".mypy_cache", ".ruff_cache", ".hypothesis", ".ipynb_checkpoints", "node_modules",
}  # fmt: skip
ALWAYS_IGNORED_FILES = ("*.pyc", "*.pyo", ".DS_Store", "*.swp", "*~", ".runtime-kit-template.json")
IGNORE_FILES = (".runtimeignore", ".gitignore")


class IgnoreRules:
    def __init__(self, patterns: list[str]) -> None:
        self.rules: list[tuple[bool, bool, bool, str]] = []  # (negate, dir_only, anchored, glob)
        for raw in patterns:
            text = raw.strip()
            if not text or text.startswith("#"):
                continue
            negate = text.startswith("!")
            glob = text.removeprefix("!")
            dir_only = glob.endswith("/")
            glob = glob.rstrip("/")
            anchored = "/" in glob
            self.rules.append((negate, dir_only, anchored, glob.lstrip("/")))

    @classmethod
    def of(cls, directory: Path) -> IgnoreRules:
        patterns: list[str] = []
        for name in IGNORE_FILES:
            path = directory / name
            if path.is_file():
                patterns += path.read_text(encoding="utf-8", errors="replace").splitlines()
        return cls(patterns)

    def ignored(self, relative: PurePosixPath, is_dir: bool) -> bool:
        if is_dir and relative.name in ALWAYS_IGNORED_DIRS:
            return True
        if not is_dir and any(fnmatch.fnmatch(relative.name, p) for p in ALWAYS_IGNORED_FILES):
            return True
        verdict = False
        for negate, dir_only, anchored, glob in self.rules:
            if dir_only and not is_dir:
                continue
            target = str(relative) if anchored else relative.name
            if fnmatch.fnmatchcase(target, glob):
                verdict = not negate
        return verdict
