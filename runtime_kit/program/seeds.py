"""``SeedStream``: a fresh seed for every sampling call of a run, all from the run's one seed.

A run is seeded once (``--seed``, or the seed the service records for a job).  Seeding the
simulator itself with it would make every ``backend.run`` of the run draw the same shots, so
a loop that samples one circuit again and again (VQE, QAOA, any iteration) would see the same
counts each time.  Instead each call takes the next seed of a stream: call ``n`` gets the
state of ``numpy.random.SeedSequence(run_seed, spawn_key=(n,))``, independent of the others
and the same in every run with that seed (locally, on the service, in ``jobs replay``).
"""

from __future__ import annotations

import threading

#: Seeds stay below 2**31: every simulator takes them (BasicSimulator's own are int32).
_SEED_BITS = 0x7FFF_FFFF


class SeedStream:
    """The seeds of one run's sampling calls, in call order.

    Args:
        seed: the run's seed (any non-negative integer).
    """

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._drawn = 0
        self._lock = threading.Lock()

    @property
    def drawn(self) -> int:
        """How many seeds have been handed out."""
        return self._drawn

    def next(self) -> int:
        """The seed of the next call."""
        from numpy.random import SeedSequence

        with self._lock:
            number = self._drawn
            self._drawn += 1
        state = SeedSequence(self.seed, spawn_key=(number,)).generate_state(1)
        return int(state[0]) & _SEED_BITS
