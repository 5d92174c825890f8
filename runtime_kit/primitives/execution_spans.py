"""Execution spans: when each part of a primitive job's data was taken.

A result of the hosted primitives carries ``metadata["execution"]["execution_spans"]``, an
``ExecutionSpans`` of spans, each a time window plus, for every pub it touched, which part of
that pub's data it produced.  The four span kinds differ only in how they name that part
(their ``data_slices`` entries):

=====================  ============================================================
``SliceSpan``          ``(shape, slice)``: a slice of the flattened data
``DoubleSliceSpan``    ``(shape, args_slice, shots_slice)``: shots are the last axis
``TwirledSliceSpan``   ``(shape, at_front, args_slice, shots_slice)``: with a twirling axis
``TwirledSliceSpanV2`` ``(shape, at_front, args_slice, shots_slice, pub_shots)``
=====================  ============================================================

Same names, behaviour and equality as qiskit-ibm-runtime's classes (which runtime-kit does not
import); plotting (``draw``) is left to that package.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any, overload

import numpy as np

Shape = tuple[int, ...]


def _pub_set(pub_idx: int | Iterable[int]) -> set[int]:
    return {pub_idx} if isinstance(pub_idx, int) else set(pub_idx)


class ExecutionSpan(ABC):
    """A time window (UTC ``start`` to ``stop``) and the pub data taken in it.

    Args:
        start: when the window opened.
        stop: when it closed.
        data_slices: pub index -> where that pub's data of this window lies (per kind).
    """

    def __init__(self, start: datetime, stop: datetime, data_slices: Mapping[int, Any]) -> None:
        self._start = start
        self._stop = stop
        self._data_slices = dict(data_slices)

    def __eq__(self, other: object) -> bool:
        return (
            type(other) is type(self)
            and isinstance(other, ExecutionSpan)
            and (self.start, self.stop, self._entries())
            == (other.start, other.stop, other._entries())
        )

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value

    def __lt__(self, other: ExecutionSpan) -> bool:
        return (self.start, self.stop) < (other.start, other.stop)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(<start='{self.start:%Y-%m-%d %H:%M:%S}', "
            f"stop='{self.stop:%Y-%m-%d %H:%M:%S}', size={self.size}>)"
        )

    @property
    def start(self) -> datetime:
        return self._start

    @property
    def stop(self) -> datetime:
        return self._stop

    @property
    def duration(self) -> float:
        """Seconds from ``start`` to ``stop``."""
        return (self.stop - self.start).total_seconds()

    @property
    def data_slices(self) -> dict[int, Any]:
        """Pub index -> this kind's description of the pub's data in the window (a copy)."""
        return dict(self._data_slices)

    @property
    def pub_idxs(self) -> list[int]:
        """The pubs (by index) some of whose data was taken in this window."""
        return sorted(self._data_slices)

    @property
    def size(self) -> int:
        """How many results (shots, for a sampler) of all pubs were taken in this window."""
        return sum(int(self.mask(index).sum()) for index in self.pub_idxs)

    @abstractmethod
    def mask(self, pub_idx: int) -> np.ndarray:
        """A boolean array shaped like pub ``pub_idx``'s data: True where taken in this window.

        Raises:
            KeyError: the pub has no data in this window.
        """

    def contains_pub(self, pub_idx: int | Iterable[int]) -> bool:
        """Whether any of the given pubs has data from this window."""
        return not _pub_set(pub_idx).isdisjoint(self._data_slices)

    def filter_by_pub(self, pub_idx: int | Iterable[int]) -> ExecutionSpan:
        """The same window, keeping only the given pubs' data slices."""
        keep = _pub_set(pub_idx)
        return type(self)(
            self.start,
            self.stop,
            {idx: value for idx, value in self._entries().items() if idx in keep},
        )

    def _entries(self) -> dict[int, Any]:
        """The ``data_slices`` as the constructor takes them."""
        return self._data_slices

    def _slices(self, pub_idx: int) -> Any:
        if pub_idx not in self._data_slices:
            raise KeyError(f"Pub {pub_idx} is not included in the span.")
        return self._data_slices[pub_idx]


class SliceSpan(ExecutionSpan):
    """Data slices ``(shape, slice)``: a slice of the pub's flattened (row-major) data.

    Written on the wire under the tag ``ExecutionSpan``.
    """

    @property
    def size(self) -> int:
        return sum(len(range(math.prod(shape))[part]) for shape, part in self._data_slices.values())

    def mask(self, pub_idx: int) -> np.ndarray:
        shape, part = self._slices(pub_idx)
        mask = np.zeros(shape, dtype=np.bool_)
        mask.ravel()[part] = True
        return mask


class DoubleSliceSpan(ExecutionSpan):
    """Data slices ``(shape, args_slice, shots_slice)``: shots are the last axis of ``shape``,
    and ``args_slice`` slices the flattened other axes."""

    @property
    def size(self) -> int:
        return sum(
            len(range(math.prod(shape[:-1]))[args]) * len(range(shape[-1])[shots])
            for shape, args, shots in self._data_slices.values()
        )

    def mask(self, pub_idx: int) -> np.ndarray:
        shape, args, shots = self._slices(pub_idx)
        mask = np.zeros(shape, dtype=np.bool_)
        mask.reshape(math.prod(shape[:-1]), shape[-1])[args, shots] = True
        return mask


class TwirledSliceSpan(ExecutionSpan):
    """Data slices ``(twirled_shape, at_front, args_slice, shots_slice)`` of a twirled job.

    ``twirled_shape`` has a twirling axis, first when ``at_front`` else just before the last
    (shots per randomization) axis; the mask merges the twirling and shots axes.
    """

    @property
    def size(self) -> int:
        total = 0
        for entry in self._data_slices.values():
            shape, _, args, shots = entry[:4]
            total += len(range(math.prod(shape[:-1]))[args]) * len(range(shape[-1])[shots])
        return total

    def mask(self, pub_idx: int) -> np.ndarray:
        shape, at_front, args, shots = self._slices(pub_idx)[:4]
        mask = np.zeros(shape, dtype=np.bool_)
        mask.reshape(math.prod(shape[:-1]), shape[-1])[args, shots] = True
        if at_front:  # move the twirling axis next to the shots axis
            ndim = len(shape)
            mask = mask.transpose((*range(1, ndim - 1), 0, ndim - 1))
            shape = shape[1:-1] + shape[:1] + shape[-1:]
        return mask.reshape((*shape[:-2], math.prod(shape[-2:])))


class TwirledSliceSpanV2(TwirledSliceSpan):
    """``TwirledSliceSpan`` whose data slices also give ``pub_shots``, the shots the pub asked
    for: the mask's last axis is cut to that length."""

    def __init__(
        self,
        start: datetime,
        stop: datetime,
        data_slices: Mapping[int, tuple[Shape, bool, slice, slice, int]],
    ) -> None:
        super().__init__(start, stop, {idx: entry[:4] for idx, entry in data_slices.items()})
        self._pub_shots = {idx: entry[4] for idx, entry in data_slices.items()}

    @property
    def pub_shots(self) -> dict[int, int]:
        """Pub index -> the shots that pub asked for."""
        return dict(self._pub_shots)

    def mask(self, pub_idx: int) -> np.ndarray:
        return super().mask(pub_idx)[..., : self._pub_shots[pub_idx]]

    def _entries(self) -> dict[int, Any]:
        return {idx: (*entry, self._pub_shots[idx]) for idx, entry in self._data_slices.items()}


class ExecutionSpans:
    """The execution spans of one job, a list-like of ``ExecutionSpan``.

    Windows may overlap (classical processing runs alongside the quantum execution): a span
    says its data was taken within its window, not that the window is tight.
    """

    def __init__(self, spans: Iterable[ExecutionSpan]) -> None:
        self._spans = list(spans)

    def __len__(self) -> int:
        return len(self._spans)

    @overload
    def __getitem__(self, index: int) -> ExecutionSpan: ...

    @overload
    def __getitem__(self, index: slice | list[int]) -> ExecutionSpans: ...

    def __getitem__(self, index: int | slice | list[int]) -> ExecutionSpan | ExecutionSpans:
        if isinstance(index, int):
            return self._spans[index]
        if isinstance(index, slice):
            return ExecutionSpans(self._spans[index])
        return ExecutionSpans(self._spans[i] for i in index)

    def __iter__(self) -> Iterator[ExecutionSpan]:
        return iter(self._spans)

    def __repr__(self) -> str:
        return f"ExecutionSpans({self._spans!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ExecutionSpans) and self._spans == other._spans

    __hash__ = None  # type: ignore[assignment]

    @property
    def pub_idxs(self) -> list[int]:
        """The pubs some of whose data any span holds."""
        return sorted({idx for span in self for idx in span.pub_idxs})

    @property
    def start(self) -> datetime:
        return min(span.start for span in self)

    @property
    def stop(self) -> datetime:
        return max(span.stop for span in self)

    @property
    def duration(self) -> float:
        """Seconds from the first start to the last stop."""
        return (self.stop - self.start).total_seconds()

    def filter_by_pub(self, pub_idx: int | Iterable[int]) -> ExecutionSpans:
        """Every span, keeping only the given pubs' data slices."""
        return ExecutionSpans(span.filter_by_pub(pub_idx) for span in self)

    def sort(self, inplace: bool = True) -> ExecutionSpans:
        """The spans by (start, stop): this collection (``inplace``) or a sorted copy."""
        target = self if inplace else ExecutionSpans(self)
        target._spans.sort()
        return target
