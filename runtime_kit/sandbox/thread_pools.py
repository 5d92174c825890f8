"""The thread count of the numeric libraries a process has loaded: OpenBLAS (numpy's, Aer's)
and OpenMP (Aer's libgomp).

Both read ``OPENBLAS_NUM_THREADS``/``OMP_NUM_THREADS`` once, when they load.  A forked job
inherits them loaded by its template (warmed with one thread, so that nothing but the main
thread runs at the fork), so the job's own count is set through their APIs instead.  Rayon
(qiskit's transpiler) builds its pool on first use, which a template never makes (it warms
with ``QISKIT_IN_PARALLEL=TRUE``): ``RAYON_NUM_THREADS`` in the job's environment holds.
Standard library only.
"""

from __future__ import annotations

import ctypes
from typing import Any

#: (setter, getter) symbol names, tried in order (numpy's OpenBLAS has prefixed, 64-bit
#: integer symbols; Aer's and the system's are plain).
OPENBLAS_SYMBOLS = (
    ("scipy_openblas_set_num_threads64_", "scipy_openblas_get_num_threads64_"),
    ("openblas_set_num_threads64_", "openblas_get_num_threads64_"),
    ("openblas_set_num_threads", "openblas_get_num_threads"),
)
OPENMP_SYMBOLS = (("omp_set_num_threads", "omp_get_max_threads"),)


def loaded_libraries() -> list[str]:
    """Paths of the OpenBLAS and OpenMP libraries mapped into this process."""
    found: list[str] = []
    with open("/proc/self/maps") as maps:
        for line in maps:
            fields = line.split(None, 5)
            path = fields[5].strip() if len(fields) == 6 else ""
            name = path.rsplit("/", 1)[-1]
            if (".so" in name and ("openblas" in name or "gomp" in name or "libomp" in name)
                    and path not in found):  # fmt: skip
                found.append(path)
    return found


def set_threads(count: int) -> dict[str, int]:
    """Set every loaded pool to ``count`` threads; the count each now reports, by library."""
    counts: dict[str, int] = {}
    for path, setter, getter in _pools():
        setter(count)
        counts[path] = int(getter())
    return counts


def thread_counts() -> dict[str, int]:
    """The thread count each loaded pool reports, by library path."""
    return {path: int(getter()) for path, _, getter in _pools()}


def _pools() -> list[tuple[str, Any, Any]]:
    pools: list[tuple[str, Any, Any]] = []
    for path in loaded_libraries():
        library = ctypes.CDLL(path)
        candidates = OPENBLAS_SYMBOLS if "openblas" in path else OPENMP_SYMBOLS
        for setter_name, getter_name in candidates:
            setter = getattr(library, setter_name, None)
            getter = getattr(library, getter_name, None)
            if setter is not None and getter is not None:
                setter.argtypes = [ctypes.c_int]
                getter.restype = ctypes.c_int
                pools.append((path, setter, getter))
                break
    return pools
