"""forked_map and validate_all: the same results as the plain loop, in the same order."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from runtime_kit.parallel import forked_map
from runtime_kit.validation import validate, validate_all

CORPUS = Path(__file__).resolve().parent / "corpus"


def test_forked_map_keeps_order_and_uses_other_processes() -> None:
    items = list(range(100))
    results = forked_map(lambda n: (n * n, os.getpid()), items, jobs=3)
    assert [square for square, _ in results] == [n * n for n in items]
    assert len({pid for _, pid in results}) == 3
    assert os.getpid() in {pid for _, pid in results}


def test_a_failing_worker_falls_back_to_this_process_and_says_so(
    caplog: pytest.LogCaptureFixture,
) -> None:
    parent = os.getpid()

    def fails_in_workers(n: int) -> int:
        if os.getpid() != parent:
            raise RuntimeError("worker trouble")
        return n + 1

    with caplog.at_level("WARNING", logger="runtime_kit.parallel"):
        assert forked_map(fails_in_workers, list(range(40)), jobs=2) == list(range(1, 41))
    assert len(caplog.records) == 1
    assert (
        caplog.records[0].getMessage().endswith("did not deliver its 20 item(s); doing them here")
    )


def test_errors_of_the_function_itself_propagate() -> None:
    def broken(n: int) -> int:
        raise ValueError(n)

    with pytest.raises(ValueError):
        forked_map(broken, list(range(40)), jobs=2)


def test_few_items_stay_in_process() -> None:
    assert {pid for pid in forked_map(lambda _: os.getpid(), list(range(10)))} == {os.getpid()}


def test_validate_all_in_parallel_equals_one_by_one() -> None:
    cases = sorted(p for p in (CORPUS / "bad").iterdir() if p.is_dir())
    sequential = [finding for case in cases for finding in validate(case)]
    assert validate_all(cases, jobs=2) == sequential
    assert validate_all(cases + cases, jobs=1) == sequential  # each path once
