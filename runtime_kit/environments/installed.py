"""Whether runtime-kit's own environment (this Python, its packages) already satisfies a
program's declaration: then the program needs no environment of its own."""

from __future__ import annotations

import platform
from importlib import metadata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from runtime_kit.environments.declaration import EnvironmentSpec


def satisfied_here(spec: EnvironmentSpec) -> bool:
    """Every requirement (with its extras) is installed here in a version it allows, and
    this Python is one the declaration allows."""
    from packaging.specifiers import SpecifierSet

    if spec.python is not None:
        allowed = SpecifierSet(spec.python)
        if not allowed.contains(platform.python_version(), prereleases=True):
            return False
    return all(_installed(text, extra=None) for text in spec.requirements)


def _installed(text: str, *, extra: str | None) -> bool:
    from packaging.requirements import Requirement

    requirement = Requirement(text)
    environment = {"extra": extra or ""}
    if requirement.marker is not None and not requirement.marker.evaluate(environment):
        return True  # not for this Python or platform
    try:
        version = metadata.version(requirement.name)
    except metadata.PackageNotFoundError:
        return False
    if not requirement.specifier.contains(version, prereleases=True):
        return False
    return all(_extra_installed(requirement.name, name) for name in requirement.extras)


def _extra_installed(distribution: str, extra: str) -> bool:
    from packaging.requirements import Requirement

    for text in metadata.requires(distribution) or []:
        requirement = Requirement(text)
        marker = requirement.marker
        if marker is None or not marker.evaluate({"extra": extra}):
            continue
        if marker.evaluate({"extra": ""}):
            continue  # not an extra's: checked with the distribution itself
        if not _installed(str(requirement).split(";")[0], extra=None):
            return False
    return True
