"""V2 primitives on the wire: the result types qiskit-ibm-runtime adds to qiskit's.

qiskit itself holds ``PrimitiveResult``, ``SamplerPubResult``, ``PubResult``, ``DataBin``,
``BitArray``, ``ObservablesArray`` and ``BindingsArray``; a result from the hosted service
also carries ``EstimatorPubResult`` and execution spans, which live in qiskit-ibm-runtime.
runtime-kit never imports that package (it takes a second), so it has its own equivalents
here, with the same names, layouts and behaviour: ``RuntimeDecoder`` rebuilds them and
``RuntimeEncoder`` writes them (and qiskit-ibm-runtime's own, when a program uses them).

Re-exported lazily: ``import runtime_kit.primitives`` imports neither numpy nor qiskit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from runtime_kit.lazy import lazy_getattr

_SPANS = "runtime_kit.primitives.execution_spans"
_EXPORTS = {
    "ExecutionSpan": _SPANS,
    "SliceSpan": _SPANS,
    "DoubleSliceSpan": _SPANS,
    "TwirledSliceSpan": _SPANS,
    "TwirledSliceSpanV2": _SPANS,
    "ExecutionSpans": _SPANS,
    "EstimatorPubResult": "runtime_kit.primitives.results",
}

__all__ = [
    "DoubleSliceSpan",
    "EstimatorPubResult",
    "ExecutionSpan",
    "ExecutionSpans",
    "SliceSpan",
    "TwirledSliceSpan",
    "TwirledSliceSpanV2",
]

if TYPE_CHECKING:
    from runtime_kit.primitives.execution_spans import (
        DoubleSliceSpan,
        ExecutionSpan,
        ExecutionSpans,
        SliceSpan,
        TwirledSliceSpan,
        TwirledSliceSpanV2,
    )
    from runtime_kit.primitives.results import EstimatorPubResult

__getattr__ = lazy_getattr(__name__, _EXPORTS)
