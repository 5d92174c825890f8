"""The legacy program API in a program's environment: what the stand-in modules of
``legacy`` export (``from qiskit.providers.ibmq.runtime import UserMessenger, ...``)."""

from __future__ import annotations

import abc
import json
import types
from typing import Any

from .messenger import UserMessenger

#: RuntimeEncoder, RuntimeDecoder and RunnerResult are made on first use (``__getattr__``).
__all__ = ["ParameterNamespace", "ProgramBackend", "ResultDecoder", "UserMessenger"]


class ProgramBackend(abc.ABC):  # noqa: B024  (a type to annotate with, as the legacy one)
    """The type of the backend ``main()`` receives; the job's backend is registered as one."""


class ResultDecoder:
    """Decodes a job's result text; subclass it and override ``decode`` (legacy API)."""

    @classmethod
    def decode(cls, data: str) -> Any:
        try:
            return json.loads(data, cls=_codec().decoder)
        except json.JSONDecodeError:
            return data


class ParameterNamespace(types.SimpleNamespace):
    """The legacy namespace of a program's inputs: one attribute per declared parameter."""

    def __init__(self, parameters: dict[str, Any]) -> None:
        super().__init__()
        self.__metadata = parameters
        for name in (parameters.get("properties") or {}) if isinstance(parameters, dict) else ():
            setattr(self, name, None)

    @property
    def metadata(self) -> dict[str, Any]:
        return self.__metadata

    def validate(self) -> None:
        required = self.__metadata.get("required") or []
        for name in required:
            if getattr(self, name, None) is None:
                raise ValueError(f"Param ({name}) missing required value!")


def _codec() -> Any:
    from .codec import codec

    return codec()


_runner_result: list[type] = []


def __getattr__(name: str) -> Any:
    if name == "RuntimeEncoder":
        return _codec().encoder
    if name == "RuntimeDecoder":
        return _codec().decoder
    if name == "RunnerResult":
        if not _runner_result:
            _runner_result.append(_make_runner_result())
        return _runner_result[0]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _make_runner_result() -> type:
    from qiskit.result import Result

    def decode(cls: type, data: str) -> Any:
        return Result.from_dict(json.loads(data))

    return type("RunnerResult", (Result, ResultDecoder), {"decode": classmethod(decode)})
