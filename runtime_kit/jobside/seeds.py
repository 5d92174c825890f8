"""A fresh seed for every sampling call of a run, from the run's one seed, drawn as
``runtime_kit.program.seeds`` draws them (so a run repeats call by call under its seed).

Call ``n`` takes ``numpy.random.SeedSequence(seed, spawn_key=(n,))``; in an environment
without numpy, a sha256 of (seed, n) stands in (documented in docs/environments.md).
"""

from __future__ import annotations

import hashlib
import threading

_SEED_BITS = 0x7FFFFFFF


class SeedStream:
    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.drawn = 0
        self._lock = threading.Lock()

    def next(self) -> int:
        with self._lock:
            number = self.drawn
            self.drawn += 1
        return draw(self.seed, number)


def draw(seed: int, number: int) -> int:
    try:
        from numpy.random import SeedSequence
    except ImportError:
        digest = hashlib.sha256(f"{seed}:{number}".encode()).digest()
        return int.from_bytes(digest[:4], "little") & _SEED_BITS
    state = SeedSequence(seed, spawn_key=(number,)).generate_state(1)
    return int(state[0]) & _SEED_BITS
