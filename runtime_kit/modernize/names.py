"""What each legacy name becomes in modern source, from the table the harness serves.

The answer for a legacy path is one of:

- ``Module(name)``: a module replaces it (``qiskit.providers.aer`` -> ``qiskit_aer``);
- ``Name(module, name)``: import ``name`` from ``module`` instead (``qiskit.Aer`` ->
  ``qiskit_aer.Aer``, ``qiskit.providers.ibmq.runtime.UserMessenger`` -> ``runtime_kit``);
- ``EXECUTE``: legacy ``qiskit.execute``, rewritten where it is called;
- ``Left(reason)``: no modern spelling; the source keeps it and the reason is reported;
- ``None``: not legacy, nothing to do.
"""

from __future__ import annotations

from dataclasses import dataclass

from runtime_kit.checks.imports import REMOVED, REMOVED_FROM
from runtime_kit.harness.legacy_modules import MOVED, REMOVED_NAMES, STAND_INS


@dataclass(frozen=True)
class Module:
    name: str


@dataclass(frozen=True)
class Name:
    module: str
    name: str


@dataclass(frozen=True)
class Left:
    reason: str


class _Execute:
    def __repr__(self) -> str:
        return "EXECUTE"


EXECUTE = _Execute()
Modern = Module | Name | Left | _Execute


def modern_module(module: str) -> Module | Left | None:
    """What replaces legacy ``module`` as a whole (``import module``)."""
    stand_in = STAND_INS.get(module)
    if stand_in is not None and stand_in.exports:
        if stand_in.modern is None:
            return Left(f"{module} has no modern module; import what it held instead")
        return Module(stand_in.modern)
    for moved in MOVED.values():
        if module == moved.module or module.startswith(moved.module + "."):
            return Module(moved.successor + module[len(moved.module) :])
    return _removed(module)


def modern_name(module: str, name: str) -> Modern | None:
    """What replaces ``name`` imported from ``module`` (``from module import name``)."""
    path = f"{module}.{name}"
    if path in STAND_INS or any(path == m for m in MOVED):
        return modern_module(path)
    served = REMOVED_NAMES.get(path)
    if served is not None:
        if served.modern is not None:
            return Name(served.modern, name)
        if name == "execute":
            return EXECUTE
        return Left(f"{path} was removed without a successor; runtime-kit serves it only as a "
                    "stub that raises when called: remove its use")  # fmt: skip
    if path in REMOVED_FROM:
        return Left(f"{path} was {REMOVED_FROM[path]}")
    stand_in = STAND_INS.get(module)
    if stand_in is not None and stand_in.exports:  # without exports: a parent, not legacy
        if name not in stand_in.exports:
            return Left(f"{path} is not part of the program API runtime-kit serves")
        if stand_in.modern is None:
            return EXECUTE if name == "execute" else Left(f"{path} has no modern spelling")
        return Name(stand_in.modern, name)
    whole = modern_module(module)
    if isinstance(whole, Module):
        return Name(whole.name, name)
    return whole


def legacy_prefix(parts: list[str]) -> tuple[int, Modern] | None:
    """For a dotted expression ``parts`` (``qiskit.providers.aer.noise.NoiseModel``): how many
    leading parts spell a legacy path (3), and what replaces them (``Module("qiskit_aer")``)."""
    stand_in = 0
    for end in range(2, len(parts) + 1):
        path = ".".join(parts[:end])
        if path in STAND_INS:
            stand_in = end  # a longer stand-in may follow, or one of its names
            continue
        if stand_in:
            break
        modern = modern_name(".".join(parts[: end - 1]), parts[end - 1])
        if modern is not None:
            return end, modern
    if stand_in and stand_in < len(parts):
        modern = modern_name(".".join(parts[:stand_in]), parts[stand_in])
        return (stand_in + 1, modern) if modern is not None else None
    return None


def _removed(module: str) -> Left | None:
    for removed, advice in REMOVED.items():
        if module == removed or module.startswith(removed + "."):
            return Left(f"{removed} was {advice}")
    return None
