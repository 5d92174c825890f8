"""The fair queue: round-robin between owners, first in first out within each, an owner at
its running limit passed over."""

from __future__ import annotations

import threading

from runtime_kit.service.core.fair_queue import FairQueue, Waiting


def order(queue: FairQueue, count: int) -> list[str]:
    taken = []
    for _ in range(count):
        waiting = queue.get()
        assert waiting is not None
        taken.append(waiting.job_id)
        queue.done(waiting.owner)
    return taken


def test_owners_take_turns_and_each_keeps_its_order() -> None:
    queue = FairQueue(lambda owner: None)
    for number in range(4):
        queue.put(f"a{number}", "alice")
    queue.put("b0", "bob")
    queue.put("b1", "bob")
    queue.put("c0", "carol")
    assert len(queue) == 7
    assert order(queue, 7) == ["a0", "b0", "c0", "a1", "b1", "a2", "a3"]


def test_an_owner_at_its_running_limit_is_passed_over_until_one_ends() -> None:
    queue = FairQueue(lambda owner: 1 if owner == "mallory" else None)
    queue.put("m0", "mallory")
    queue.put("m1", "mallory")
    assert queue.get() == Waiting("m0", "mallory")
    queue.put("v0", "victim")
    assert queue.get() == Waiting("v0", "victim")  # m1 waits: mallory runs one already
    assert queue.running("mallory") == 1
    took: list[Waiting | None] = []
    taker = threading.Thread(target=lambda: took.append(queue.get()))
    taker.start()
    taker.join(timeout=0.2)
    assert taker.is_alive() and took == []  # nothing it may take: it waits
    queue.done("mallory")
    taker.join(timeout=10)
    assert took == [Waiting("m1", "mallory")]


def test_closing_releases_every_waiting_taker() -> None:
    queue = FairQueue(lambda owner: None)
    results: list[Waiting | None] = []
    takers = [threading.Thread(target=lambda: results.append(queue.get())) for _ in range(3)]
    for taker in takers:
        taker.start()
    queue.close()
    for taker in takers:
        taker.join(timeout=10)
    assert results == [None, None, None]
    queue.put("late", "alice")
    assert queue.get() is None
