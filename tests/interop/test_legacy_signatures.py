"""Our SDK speaks the legacy signatures: every public method of the legacy runtime classes
(qiskit-ibmq-provider 0.20.2, read from its own source in ``.venv-legacy``) exists on ours
and accepts the same parameter names in the same order, keyword and positional."""

from __future__ import annotations

import inspect
import json
import subprocess
from typing import Any

import pytest

import runtime_kit
from tests.interop.legacy_env import legacy_python

pytestmark = pytest.mark.legacy

#: legacy class -> ours (same names, as ``runtime_kit`` exports them)
CLASSES = {
    "IBMRuntimeService": "RuntimeService",
    "RuntimeJob": "RuntimeJob",
    "RuntimeProgram": "RuntimeProgram",
    "ParameterNamespace": "ParameterNamespace",
    "UserMessenger": "UserMessenger",
    "ProgramBackend": "ProgramBackend",
    "ResultDecoder": "ResultDecoder",
    "RuntimeEncoder": "RuntimeEncoder",
    "RuntimeDecoder": "RuntimeDecoder",
}
#: Constructors a user never calls: the legacy client built these from its provider, API
#: client and credentials; ours are built from a URL and token, or the service's answer.
NOT_USER_CONSTRUCTED = {"IBMRuntimeService", "RuntimeJob", "RuntimeProgram"}

DUMP = """
import inspect, json, warnings
warnings.simplefilter("ignore")
from qiskit.providers.ibmq import runtime
out = {}
for name in %r:
    cls = getattr(runtime, name)
    members = {}
    for attr, member in vars(cls).items():
        if attr.startswith("_") and attr != "__init__":
            continue
        if isinstance(member, property):
            members[attr] = "property"
            continue
        function = getattr(member, "__func__", member)
        if not inspect.isfunction(function):
            continue
        members[attr] = [
            [p.name, p.kind.name, p.default is not inspect.Parameter.empty]
            for p in list(inspect.signature(function).parameters.values())[1:]
        ]
    out[name] = members
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def legacy_api() -> dict[str, dict[str, Any]]:
    done = subprocess.run(
        [str(legacy_python()), "-c", DUMP % list(CLASSES)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return json.loads(done.stdout)


def _ours(cls: type, attr: str) -> list[inspect.Parameter]:
    member = inspect.getattr_static(cls, attr)
    function = getattr(member, "__func__", member)
    return list(inspect.signature(function).parameters.values())[1:]


def _mismatches(legacy: list[list[Any]], ours: list[inspect.Parameter]) -> list[str]:
    """How ``ours`` fails to accept a call written for ``legacy``."""
    problems = []
    by_name = {p.name: p for p in ours}
    positional = [p for p in ours if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    for index, (name, kind, has_default) in enumerate(legacy):
        if kind == "VAR_POSITIONAL":
            if not any(p.kind is p.VAR_POSITIONAL for p in ours):
                problems.append("no *args")
            continue
        if kind == "VAR_KEYWORD":
            if not any(p.kind is p.VAR_KEYWORD for p in ours):
                problems.append("no **kwargs")
            continue
        if kind == "POSITIONAL_OR_KEYWORD" and (
            index >= len(positional) or positional[index].name != name
        ):
            problems.append(f"{name!r} is not positional parameter #{index + 1}")
        mine = by_name.get(name)
        if mine is None:
            problems.append(f"no parameter {name!r}")
        elif has_default and mine.default is inspect.Parameter.empty:
            problems.append(f"{name!r} has no default (legacy callers may omit it)")
    required_extra = [
        p.name
        for p in ours
        if p.name not in {entry[0] for entry in legacy}
        and p.default is inspect.Parameter.empty
        and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]
    if required_extra:
        problems.append(f"extra required parameters {required_extra}")
    return problems


def test_every_legacy_method_accepts_its_legacy_calls(legacy_api: dict[str, Any]) -> None:
    problems = {}
    checked = 0
    for legacy_name, members in legacy_api.items():
        cls = getattr(runtime_kit, CLASSES[legacy_name])
        for attr, legacy in members.items():
            if attr == "__init__" and legacy_name in NOT_USER_CONSTRUCTED:
                continue
            where = f"{legacy_name}.{attr}"
            if legacy == "property":
                continue  # checked on instances below
            if not hasattr(cls, attr):
                problems[where] = ["missing"]
                continue
            found = _mismatches(legacy, _ours(cls, attr))
            checked += 1
            if found:
                problems[where] = found
    assert problems == {}
    assert checked >= 30  # the walk itself works: the legacy classes have ~35 methods


def test_legacy_properties_exist(legacy_api: dict[str, Any]) -> None:
    from runtime_kit.client.http import ServiceHttp

    instances = {
        "RuntimeProgram": runtime_kit.RuntimeProgram({"id": "p-1", "name": "p"}),
        "RuntimeJob": runtime_kit.RuntimeJob(
            ServiceHttp("http://127.0.0.1:9", "t"), "job-1", "p-1", inputs={}
        ),
        "ParameterNamespace": runtime_kit.ParameterNamespace({"properties": {}}),
    }
    missing = [
        f"{legacy_name}.{attr}"
        for legacy_name, members in legacy_api.items()
        for attr, kind in members.items()
        if kind == "property"
        and not _has(instances.get(legacy_name, getattr(runtime_kit, CLASSES[legacy_name])), attr)
    ]
    assert missing == []


def _has(obj: object, attr: str) -> bool:
    """``obj`` has ``attr`` (a property is not evaluated: that could ask the service)."""
    try:
        inspect.getattr_static(obj, attr)
    except AttributeError:
        return False
    return True


def test_legacy_order_is_refused_loudly_when_misused() -> None:
    """``run(program_id, inputs)`` in the old runtime-kit order: the inputs land in options
    and are refused with a message saying where inputs go, not a schema error."""
    from runtime_kit.client.jobs import request_body
    from runtime_kit.errors import InputValueError

    with pytest.raises(InputValueError, match="program inputs go in inputs="):
        request_body("p", {}, {"iterations": 3}, None)
