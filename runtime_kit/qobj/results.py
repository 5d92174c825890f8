"""The result of a Qobj's circuits as the legacy ``Result.from_dict`` (qiskit-terra 0.23, under
qiskit-ibmq-provider's ``IBMQJob.result()``) reads it: today's ``Result.to_dict()``, with the
Qobj's ids and headers put back (each experiment's header names its registers, which the
legacy ``get_counts()`` formats keys with), and nothing JSON cannot hold."""

from __future__ import annotations

import datetime
import enum
from typing import Any

from runtime_kit.qobj.circuits import QobjRun


def legacy_result(result: Any, run: QobjRun, *, job_id: str, backend_name: str) -> dict[str, Any]:
    """``result`` (a qiskit ``Result`` of ``run.circuits``) as a legacy result dict."""
    answer = result.to_dict()
    answer["job_id"] = job_id
    answer["qobj_id"] = run.qobj_id
    answer["backend_name"] = run.qobj_header.get("backend_name") or backend_name
    answer["header"] = run.qobj_header
    for experiment, header in zip(answer.get("results") or [], run.headers, strict=False):
        experiment["header"] = {**(experiment.get("header") or {}), **header}
    plain: dict[str, Any] = _plain(answer)
    return plain


def _plain(value: Any) -> Any:
    """``value`` made of JSON types only: numpy numbers and arrays, enums, complex numbers
    (``[real, imag]``, the Qobj convention) and dates turned into what JSON holds."""
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, enum.Enum):
        return _plain(value.value)
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    if isinstance(value, complex):
        return [value.real, value.imag]
    if isinstance(value, datetime.date):
        return value.isoformat()
    if hasattr(value, "tolist"):  # numpy arrays and scalars
        return _plain(value.tolist())
    return str(value)
