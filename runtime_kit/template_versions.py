"""Versions of the bundled templates, every one of them renderable (``runtime-kit update``).

A bundled template declares its version in ``cookiecutter.json`` (``"_version": N``).  Its
earlier versions stay in the package as plain copies, ``templates/_history/<name>/<N>/``
(the wheel has no git), and ``templates/_history/digests.json`` records the sha256 of every
version, the current one included, so that a template changed without a new version is
caught by the tests rather than by a user whose update goes wrong.

To change a template (maintainers)::

    python -m runtime_kit.template_versions bump NAME     # keep version N, start N+1
    ...edit templates/NAME...
    python -m runtime_kit.template_versions record        # the digests of what is there now
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from pathlib import Path

from runtime_kit.errors import RuntimeKitError

HISTORY = "_history"
DIGESTS = "digests.json"


class TemplateVersionError(RuntimeKitError):
    """A template version that does not exist (or a template without versions)."""


def templates_root() -> Path:
    from runtime_kit.scaffold import templates_dir

    return templates_dir()


def current_version(name: str) -> int:
    """The version of bundled template ``name`` as it is now.

    Raises:
        TemplateVersionError: not a bundled template, or one without a ``_version``.
    """
    config = templates_root() / name / "cookiecutter.json"
    if not config.is_file():
        raise TemplateVersionError(f"no bundled template {name!r}")
    version = json.loads(config.read_text(encoding="utf-8")).get("_version")
    if not isinstance(version, int):
        raise TemplateVersionError(f"template {name!r} declares no integer _version")
    return version


def template_source(name: str, version: int) -> Path:
    """The directory of version ``version`` of bundled template ``name``.

    Raises:
        TemplateVersionError: there is no such version.
    """
    if version == current_version(name):
        return templates_root() / name
    source = templates_root() / HISTORY / name / str(version)
    if not (source / "cookiecutter.json").is_file():
        raise TemplateVersionError(
            f"template {name!r} has no version {version} (versions 1 to "
            f"{current_version(name)} are kept)"
        )
    return source


def versions(name: str) -> list[int]:
    """Every version of ``name`` that can be rendered, oldest first."""
    history = templates_root() / HISTORY / name
    kept = [int(p.name) for p in history.iterdir() if p.name.isdigit()] if history.is_dir() else []
    return sorted({*kept, current_version(name)})


def digest(directory: Path) -> str:
    """sha256 of a template tree: every file's relative path and bytes, in order."""
    hasher = hashlib.sha256()
    for path in sorted(directory.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            hasher.update(path.relative_to(directory).as_posix().encode() + b"\0")
            hasher.update(path.read_bytes() + b"\0")
    return hasher.hexdigest()


def recorded_digests() -> dict[str, dict[str, str]]:
    """``{template: {version: sha256}}`` as recorded in ``_history/digests.json``."""
    path = templates_root() / HISTORY / DIGESTS
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def actual_digests() -> dict[str, dict[str, str]]:
    """The same, computed from the trees there are now."""
    from runtime_kit.scaffold import bundled_templates

    return {
        template.name: {
            str(version): digest(template_source(template.name, version))
            for version in versions(template.name)
        }
        for template in bundled_templates()
    }


def bump(name: str) -> int:
    """Keep the current version of ``name`` in the history and make the template the next."""
    version = current_version(name)
    source = templates_root() / name
    shutil.copytree(
        source,
        templates_root() / HISTORY / name / str(version),
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    config = source / "cookiecutter.json"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace(f'"_version": {version}', f'"_version": {version + 1}', 1))
    return version + 1


def record() -> None:
    """Write the digests of every version as the trees are now."""
    path = templates_root() / HISTORY / DIGESTS
    path.write_text(json.dumps(actual_digests(), indent=2, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    command = sys.argv[1:2]
    if command == ["bump"] and len(sys.argv) == 3:
        print(f"{sys.argv[2]} is now version {bump(sys.argv[2])}; edit it, then `record`")
    elif command == ["record"]:
        record()
    else:
        sys.exit("usage: python -m runtime_kit.template_versions bump NAME | record")
