"""Map a function over many items in forked worker processes, results in input order.

``validate`` of a whole repository is CPU-bound (parsing, schema checks), and its start-up
is paid once: forking after the imports lets every core share that start-up.  Forking
costs ~1 ms, so small batches stay in-process.  Where ``os.fork`` does not exist the work
is done in this process.  A worker that fails (cannot be forked, is killed, crashes) has its
items done again in this process, and that is logged (a warning of the
``runtime_kit.parallel`` logger, on stderr unless configured otherwise): the result is
always what the plain loop would give, and a failure is never silent.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

_LOG = logging.getLogger("runtime_kit.parallel")
#: Fewer items than this per extra process are not worth a fork.
MIN_ITEMS_PER_WORKER = 16


def available_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def forked_map(
    function: Callable[[Item], Result], items: Sequence[Item], *, jobs: int | None = None
) -> list[Result]:
    """``[function(item) for item in items]``, spread over up to ``jobs`` processes.

    ``jobs=None`` uses the available CPUs when there are enough items to pay for it;
    ``jobs=1`` never forks.  Results must be picklable.
    """
    wanted = available_cpus() if jobs is None else max(jobs, 1)
    workers = min(wanted, len(items) // MIN_ITEMS_PER_WORKER if jobs is None else len(items))
    if workers < 2 or not hasattr(os, "fork"):
        return [function(item) for item in items]
    chunks = [list(range(start, len(items), workers)) for start in range(workers)]
    children = [_fork(function, [items[i] for i in chunk]) for chunk in chunks[1:]]
    results: list[Result | None] = [None] * len(items)
    for index in chunks[0]:
        results[index] = function(items[index])
    for chunk, child in zip(chunks[1:], children, strict=True):
        chunk_results = _collect(child)
        if chunk_results is None or len(chunk_results) != len(chunk):
            _LOG.warning(
                "a worker process (%s) did not deliver its %d item(s); doing them here",
                f"pid {child[0]}" if child else "not started",
                len(chunk),
            )
            chunk_results = [function(items[i]) for i in chunk]
        for index, result in zip(chunk, chunk_results, strict=True):
            results[index] = result
    return results  # type: ignore[return-value]


def _fork(function: Callable[[Item], Result], chunk: list[Item]) -> tuple[int, int] | None:
    try:
        read_end, write_end = os.pipe()
        pid = os.fork()
    except OSError:
        return None
    if pid == 0:  # the worker: never returns into the caller's code
        status = 1
        try:
            os.close(read_end)
            import pickle

            payload = pickle.dumps([function(item) for item in chunk])
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(payload)
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    return pid, read_end


def _collect(child: tuple[int, int] | None) -> list[Any] | None:
    """The worker's results, or None if it could not deliver them."""
    if child is None:
        return None
    pid, read_end = child
    with os.fdopen(read_end, "rb") as pipe:
        payload = pipe.read()
    _, status = os.waitpid(pid, 0)
    if status != 0 or not payload:
        return None
    import pickle

    try:
        results: list[Any] = pickle.loads(payload)  # our own child's output, not outside data
        return results
    except (pickle.UnpicklingError, EOFError, ValueError):
        return None
