"""Legacy ``execute(experiments, backend, **options)`` calls written out as what they did:
``backend.run(transpile(experiments, backend, ...), shots=..., ...)``.

The options are split as qiskit 0.46's ``execute`` split them (see ``legacy_qiskit``).  A call
that cannot be written out exactly (pulse scheduling, ``*args``, a backend given as an
expression that must not run twice) is left as it is, with the reason.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from runtime_kit.harness.legacy_qiskit import (
    LEGACY_DEFAULT_SHOTS,
    QOBJ_ONLY,
    RUN_OPTIONS,
    SCHEDULING,
    TRANSPILE_OPTIONS,
)
from runtime_kit.modernize.edits import SourceEdits

_POSITIONAL = ("experiments", "backend")


@dataclass
class Rewrite:
    """The text of a rewritten call, or why there is none; ``dropped`` options, if any."""

    text: str | None = None
    reason: str | None = None
    dropped: list[str] = field(default_factory=list)
    uses_transpile: bool = False


def rewrite_execute(call: ast.Call, edits: SourceEdits, *, transpile: str) -> Rewrite:
    """``call`` (a legacy ``execute``) as ``backend.run(...)``, with ``transpile`` as the name
    of qiskit's transpile function where the call is."""
    options = _options(call)
    if isinstance(options, str):
        return Rewrite(reason=options)
    experiments, backend = options.pop("experiments"), options.pop("backend")
    if not _is_reference(backend):
        return Rewrite(reason="its backend is an expression that execute() evaluated once: "
                       "bind it to a name first")  # fmt: skip
    refused = [k for k in ("backend_properties", *SCHEDULING) if not _is_off(options.get(k))]
    if refused:
        return Rewrite(reason=f"{refused[0]}= has no successor (removed in qiskit 2.0)")
    for key in ("backend_properties", *SCHEDULING):
        options.pop(key, None)
    rewrite = Rewrite(dropped=[key for key in QOBJ_ONLY if options.pop(key, None) is not None])
    target = edits.text_of(backend)
    circuits = _circuits(edits, experiments, target, options, transpile)
    if circuits is None:
        return Rewrite(reason="pass_manager= together with transpile options")
    rewrite.uses_transpile = "pass_manager" not in options
    options.pop("pass_manager", None)
    run = [f"{RUN_OPTIONS.get(key, key)}={edits.text_of(value)}" for key, value in options.items()]
    if "shots" not in options:
        run.append(f"shots={LEGACY_DEFAULT_SHOTS}")
    rewrite.text = f"{target}.run({', '.join([circuits, *run])})"
    return rewrite


def _options(call: ast.Call) -> dict[str, ast.expr] | str:
    """The call's arguments by name, or why they cannot be known."""
    if len(call.args) > len(_POSITIONAL) or any(isinstance(a, ast.Starred) for a in call.args):
        return "it passes options by position or with *args: name them"
    options: dict[str, ast.expr] = dict(zip(_POSITIONAL, call.args, strict=False))
    for keyword in call.keywords:
        if keyword.arg is None:
            return "it passes options with **kwargs"
        options[keyword.arg] = keyword.value
    missing = [name for name in _POSITIONAL if name not in options]
    if missing:
        return f"it gives no {missing[0]}"
    return options


def _circuits(
    edits: SourceEdits,
    experiments: ast.expr,
    backend: str,
    options: dict[str, ast.expr],
    transpile: str,
) -> str | None:
    circuits = edits.text_of(experiments)
    manager = options.get("pass_manager")
    chosen = [key for key in options if key in TRANSPILE_OPTIONS]
    if manager is not None:
        return None if chosen else f"{edits.text_of(manager)}.run({circuits})"
    arguments = [circuits, backend]
    arguments += [f"{key}={edits.text_of(options.pop(key))}" for key in chosen]
    return f"{transpile}({', '.join(arguments)})"


def _is_reference(node: ast.expr) -> bool:
    """A name or an attribute of one (``backend``, ``self.backend``): safe to evaluate twice."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name)


def _is_off(node: ast.expr | None) -> bool:
    return node is None or (isinstance(node, ast.Constant) and node.value in (None, False))
