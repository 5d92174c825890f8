"""Which files of a program directory go into its bundle.

Rules, in order (a later rule wins, ``!`` re-includes), with gitignore's own semantics
(``pathspec``): never version control, caches or virtual environments; secrets left out by
default (``SECRET_PATTERNS``: a bundle is uploaded, and maybe shared); then ``.gitignore``;
then ``.runtimeignore``.  ``build`` and ``publish`` say which secrets were left out.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pathspec

ALWAYS_IGNORED_DIRS = (
    ".git", ".hg", ".svn", "__pycache__", ".venv", "venv", ".tox", ".nox", ".pytest_cache",
    ".mypy_cache", ".ruff_cache", ".hypothesis", ".ipynb_checkpoints", "node_modules",
)  # fmt: skip
ALWAYS_IGNORED_FILES = (
    "*.pyc", "*.pyo", ".DS_Store", "*.swp", "*~",
    ".runtime-kit-template.json",  # runtime-kit update's record, no part of the program
)  # fmt: skip
#: Left out unless a ``.runtimeignore`` (or ``.gitignore``) rule re-includes them with ``!``.
SECRET_PATTERNS = (".env", "*.pem", "*.key", ".netrc", ".git-credentials")
IGNORE_FILES = (".gitignore", ".runtimeignore")


class IgnoreRules:
    def __init__(self, patterns: list[str]) -> None:
        defaults = [f"{name}/" for name in ALWAYS_IGNORED_DIRS] + list(ALWAYS_IGNORED_FILES)
        self._spec = pathspec.GitIgnoreSpec.from_lines([*defaults, *SECRET_PATTERNS, *patterns])
        self._secrets = pathspec.GitIgnoreSpec.from_lines(SECRET_PATTERNS)

    @classmethod
    def of(cls, directory: Path) -> IgnoreRules:
        patterns: list[str] = []
        for name in IGNORE_FILES:
            path = directory / name
            if path.is_file():
                patterns += path.read_text(encoding="utf-8", errors="replace").splitlines()
        return cls(patterns)

    def ignored(self, relative: PurePosixPath, is_dir: bool) -> bool:
        return self._spec.match_file(f"{relative}/" if is_dir else str(relative))

    def secret(self, relative: PurePosixPath) -> bool:
        """A file left out because it looks like a secret (not re-included)."""
        return self._secrets.match_file(str(relative)) and self.ignored(relative, False)
